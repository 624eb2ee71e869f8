using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>[Authorize] on consumers, enforced by ASP.NET Core before the handshake, and the group join filter.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private readonly RefusingGroupJoinFilter _filter = new("chat.secret");
    private KestrelHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync(
        services: services =>
        {
            services.AddAuthentication(TestAuthHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
            services.AddAuthorization(o => o.AddPolicy("admins", p => p.RequireRole("admin")));
            services.AddSingleton<IGroupJoinFilter>(_filter);
        },
        beforeMap: app =>
        {
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
        });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Without_a_user_an_Authorize_consumer_refuses_with_401_before_the_handshake()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri("/ws/secure/")));

        // The authorization middleware answered: the consumer was never created.
        Assert.DoesNotContain(_host.Events.Seen, e => e.StartsWith("secure-connected:", StringComparison.Ordinal));
        Assert.Empty(_host.Logs.WithEvent("WebSocketAccepted"));
    }

    [Fact]
    public async Task With_a_user_an_Authorize_consumer_accepts_and_sees_the_user_in_its_scope()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/secure/"), o => o.SetRequestHeader(TestAuthHandler.UserHeader, "alice"));

        using var hello = JsonDocument.Parse(await client.ReceiveTextAsync());
        Assert.Equal("test.hello", hello.RootElement.GetProperty("type").GetString());
        Assert.Equal("alice", hello.RootElement.GetProperty("user").GetString());
        Assert.Equal("secure-connected:alice", await _host.Events.WaitForAsync("secure-connected:"));

        await client.SendTextAsync("""{"type":"chat.say","text":"authorized"}""");
        Assert.Equal("""{"type":"chat.message","room":"secure","text":"authorized"}""", await client.ReceiveTextAsync());
        await client.CloseAsync();
    }

    [Fact]
    public async Task A_user_who_does_not_meet_the_policy_is_refused_with_403()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await WsClient.ConnectExpectingRefusalAsync(
            _host.WebSocketUri("/ws/admin/"), o => o.SetRequestHeader(TestAuthHandler.UserHeader, "bob")));
        Assert.Equal(HttpStatusCode.Forbidden, await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri("/ws/admin/"), o =>
        {
            o.SetRequestHeader(TestAuthHandler.UserHeader, "bob");
            o.SetRequestHeader(TestAuthHandler.RoleHeader, "user");
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri("/ws/admin/")));
        Assert.DoesNotContain(_host.Events.Seen, e => e.StartsWith("admin-connected:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_user_who_meets_the_policy_is_accepted_with_the_claims_in_the_scope()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/admin/"), o =>
        {
            o.SetRequestHeader(TestAuthHandler.UserHeader, "carol");
            o.SetRequestHeader(TestAuthHandler.RoleHeader, "admin");
        });

        // The scope carries the authenticated ClaimsPrincipal, claims and all.
        Assert.Equal("""{"type":"test.whoami","user":"carol","authenticationType":"Test","isAdmin":true}""", await client.ReceiveTextAsync());
        await client.CloseAsync();
    }

    [Fact]
    public async Task Consumers_without_Authorize_stay_open_to_anonymous_clients()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/open/"));
        using var hello = JsonDocument.Parse(await client.ReceiveTextAsync());
        Assert.Equal(JsonValueKind.Null, hello.RootElement.GetProperty("user").ValueKind);
        await client.CloseAsync();
    }

    [Fact]
    public async Task A_group_the_join_filter_refuses_refuses_the_connection_with_403()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri("/ws/chat/secret/")));

        Assert.Contains("chat.secret", _filter.Asked);
        Assert.Contains(_host.Logs.WithEvent("GroupJoinRefused"), r => r.Message.Contains("chat.secret", StringComparison.Ordinal));
        // Nobody joined the refused group: a send to it reaches no one.
        var result = await _host.Layer.GroupSendAsync("chat.secret", ChannelMessage.Create(new Consumers.ChatMessage("secret", "anyone?")), TestContext.Current.CancellationToken);
        Assert.Equal(0, result.Delivered);
    }

    [Fact]
    public async Task A_group_the_join_filter_allows_works_as_usual()
    {
        using var alice = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/open/"));
        using var bob = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/open/"));
        Assert.Contains("test.hello", await alice.ReceiveTextAsync());
        Assert.Contains("test.hello", await bob.ReceiveTextAsync());

        await alice.SendTextAsync("""{"type":"chat.say","text":"open room"}""");
        Assert.Equal("""{"type":"chat.message","room":"open","text":"open room"}""", await bob.ReceiveTextAsync());
        Assert.Contains("chat.open", _filter.Asked);
        await alice.CloseAsync();
        await bob.CloseAsync();
    }
}
