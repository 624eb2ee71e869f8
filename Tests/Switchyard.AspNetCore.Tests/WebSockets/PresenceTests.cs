using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>Presence through consumers: members join with their user, hear joins and leaves, and consumers without a presence handler are not disturbed.</summary>
public sealed class PresenceTests : IAsyncLifetime
{
    private KestrelHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync(
        services: services =>
        {
            services.AddAuthentication(TestAuthHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
            services.AddAuthorization();
            services.AddSingleton<IUserIdProvider>(new ClaimUserIdProvider(ClaimTypes.Name));
            services.Configure<ChannelLayerOptions>(o => o.WithPresence("lobby.*").WithPresence("chat.*"));
        },
        beforeMap: app =>
        {
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
        });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Members_hear_who_joins_and_who_leaves_with_their_user_and_info()
    {
        using var ada = await ConnectAsync("/ws/lobby/main/?device=phone", "ada");
        var first = await ReceivePresenceAsync(ada);
        Assert.Equal("lobby.main", first.Group);
        var adaMember = Assert.Single(first.Joins);
        Assert.Equal(("ada", "phone"), (adaMember.UserId, adaMember.Info));

        using var bob = await ConnectAsync("/ws/lobby/main/", "bob");
        var bobJoined = await ReceivePresenceAsync(ada);
        Assert.Equal(["bob"], bobJoined.Joins.Select(m => m.UserId));
        Assert.Equal(2, bobJoined.Count);
        Assert.Equal(["ada", "bob"], (await _host.Layer.GroupPresenceAsync("lobby.main", cancellationToken: Ct)).Members.Select(m => m.UserId).Order(StringComparer.Ordinal));

        await bob.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Ct);
        var bobLeft = await ReceivePresenceAsync(ada);
        Assert.Equal(["bob"], bobLeft.Leaves.Select(m => m.UserId));
        Assert.Equal(1, bobLeft.Count);
    }

    [Fact]
    public async Task A_consumer_without_a_presence_handler_is_listed_and_not_disturbed_by_the_events()
    {
        var probe = await _host.Layer.NewChannelAsync("probe", Ct);
        await _host.Layer.GroupAddAsync("chat.quiet", probe, Ct);
        using var ada = await ConnectAsync("/ws/chat/quiet/", "ada");
        await ada.ReceiveTextAsync();

        // The event the join caused has gone out to the group (the probe got it), so the consumer has had it too.
        var presence = (await _host.Layer.ReceiveAsync(probe, Ct)).Read<PresenceEvent>();
        Assert.Equal(["ada"], presence.Joins.Select(m => m.UserId));

        await ada.SendTextAsync("""{"type":"chat.say","text":"still here"}""");
        Assert.Equal("""{"type":"chat.message","room":"quiet","text":"still here"}""", await ada.ReceiveTextAsync());
        Assert.Empty(_host.Logs.WithEvent("UnhandledMessage"));
    }

    private async Task<WsClient> ConnectAsync(string path, string user) =>
        await WsClient.ConnectAsync(_host.WebSocketUri(path), o => o.SetRequestHeader(TestAuthHandler.UserHeader, user));

    private static async Task<PresenceEvent> ReceivePresenceAsync(WsClient client)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(await client.ReceiveTextAsync()));
        return PresenceEvent.ReadJson(ref reader);
    }
}
