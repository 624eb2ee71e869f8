using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.AspNetCore.Tests.Consumers;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>Users: every connection of a signed-in user is in its user's group; send to a user, disconnect a user everywhere.</summary>
public sealed class UserTests : IAsyncLifetime
{
    private KestrelHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync(
        services: services =>
        {
            services.AddAuthentication(TestAuthHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
            services.AddAuthorization();

            // The test scheme names its user in the Name claim, not NameIdentifier: the provider is configurable.
            services.AddSingleton<IUserIdProvider>(new ClaimUserIdProvider(ClaimTypes.Name));
        },
        beforeMap: app =>
        {
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
        });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_message_sent_to_a_user_reaches_each_of_their_connections_and_nobody_else()
    {
        using var adaPhone = await ConnectAsync("ada@example.org");
        using var adaLaptop = await ConnectAsync("ada@example.org");
        using var bob = await ConnectAsync("bob");

        var result = await _host.Layer.SendToUserAsync("ada@example.org", new ChatMessage("private", "for ada"), Ct);

        Assert.Equal(new GroupSendResult(2, 0), result);
        Assert.Equal("""{"type":"chat.message","room":"private","text":"for ada"}""", await adaPhone.ReceiveTextAsync());
        Assert.Equal("""{"type":"chat.message","room":"private","text":"for ada"}""", await adaLaptop.ReceiveTextAsync());
        Assert.Equal(1, await _host.Layer.GroupMemberCountAsync(UserGroups.For("bob"), Ct));
        await AssertNothingArrivesAsync(bob);
    }

    [Fact]
    public async Task Disconnecting_a_user_closes_each_of_their_connections_with_1008_and_leaves_the_others_open()
    {
        using var adaPhone = await ConnectAsync("ada");
        using var adaLaptop = await ConnectAsync("ada");
        using var bob = await ConnectAsync("bob");

        var result = await _host.Layer.DisconnectUserAsync("ada", Ct);

        Assert.Equal(new GroupSendResult(2, 0), result);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await adaPhone.ReceiveCloseAsync());
        Assert.Equal("user disconnected", adaPhone.Socket.CloseStatusDescription);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await adaLaptop.ReceiveCloseAsync());
        Assert.Equal(2, _host.Logs.WithEvent("UserDisconnected").Count());

        // Stopped, the two consumers left the user's group (before their runner logs the stop); bob's still works.
        Assert.All(await _host.Logs.WaitForCountAsync("ConsumerStopped", 2), log => Assert.Contains("UserDisconnected", log.Message, StringComparison.Ordinal));
        Assert.Equal(0, await _host.Layer.GroupMemberCountAsync(UserGroups.For("ada"), Ct));
        await bob.SendTextAsync("""{"type":"chat.say","text":"still here"}""");
        Assert.Equal("""{"type":"chat.message","room":"secure","text":"still here"}""", await bob.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_connection_without_a_user_is_in_no_user_group()
    {
        var provider = new ClaimUserIdProvider();

        Assert.Null(provider.GetUserId(new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.Null(provider.GetUserId(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "x")]))));
        Assert.Equal("x", provider.GetUserId(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "x")], "Test"))));
        Assert.Equal(new GroupSendResult(0, 0), await _host.Layer.SendToUserAsync("nobody", new ChatMessage("private", "?"), Ct));
    }

    [Theory]
    [InlineData("ada")]
    [InlineData("Ada Lovelace <ada@example.org>")]
    [InlineData("名前")]
    public void A_user_group_is_a_valid_group_name_the_same_on_every_call_and_does_not_contain_the_id(string userId)
    {
        var group = UserGroups.For(userId);

        ChannelNames.ValidateGroupName(group);
        Assert.Equal(group, UserGroups.For(userId));
        Assert.StartsWith(UserGroups.Prefix, group, StringComparison.Ordinal);
        Assert.DoesNotContain(userId, group, StringComparison.Ordinal);
        Assert.NotEqual(UserGroups.For(userId + " "), group);
        Assert.Throws<ArgumentException>(() => UserGroups.For(""));
    }

    private async Task<WsClient> ConnectAsync(string user)
    {
        var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/secure/"), o => o.SetRequestHeader(TestAuthHandler.UserHeader, user));
        using var hello = JsonDocument.Parse(await client.ReceiveTextAsync());
        Assert.Equal("test.hello", hello.RootElement.GetProperty("type").GetString());
        return client;
    }

    private static async Task AssertNothingArrivesAsync(WsClient client)
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReceiveTextAsync(TimeSpan.FromMilliseconds(200)));
    }
}
