using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Switchyard.AspNetCore.Tests.Consumers;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>The ASGI lifecycle of a WebSocket consumer against a real Kestrel on loopback.</summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private KestrelHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Text_and_binary_messages_are_echoed()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await client.SendTextAsync("héllo");
        Assert.Equal("héllo", await client.ReceiveTextAsync());

        await client.SendAsync([1, 2, 3, 0, 255], WebSocketMessageType.Binary);
        var (type, data) = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(new byte[] { 1, 2, 3, 0, 255 }, data);
    }

    [Fact]
    public async Task A_message_fragmented_by_the_client_arrives_whole()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        var cancellation = TestContext.Current.CancellationToken;
        await client.Socket.SendAsync("frag"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false, cancellation);
        await client.Socket.SendAsync("ment"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false, cancellation);
        await client.Socket.SendAsync("ed"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, cancellation);
        Assert.Equal("fragmented", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_large_message_round_trips()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        var text = string.Create(200_000, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });
        await client.SendTextAsync(text);
        Assert.Equal(text, await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task The_client_close_code_reaches_OnDisconnect_and_is_echoed()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await client.CloseAsync((WebSocketCloseStatus)4321, "bye");
        Assert.Equal((WebSocketCloseStatus)4321, client.Socket.CloseStatus);
        Assert.Equal("disconnect:4321", await _host.Events.WaitForAsync("disconnect:"));
    }

    [Fact]
    public async Task A_client_that_drops_without_a_close_frame_disconnects_with_1006()
    {
        var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await client.SendTextAsync("ping");
        Assert.Equal("ping", await client.ReceiveTextAsync());
        client.Socket.Abort();
        client.Dispose();
        Assert.Equal("disconnect:1006", await _host.Events.WaitForAsync("disconnect:"));
    }

    [Fact]
    public async Task The_consumer_closes_with_its_code_and_reason()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await client.SendTextAsync("close:4002");
        Assert.Equal((WebSocketCloseStatus)4002, await client.ReceiveCloseAsync());
        Assert.Equal("closed by consumer", client.Socket.CloseStatusDescription);
        await client.CloseAsync((WebSocketCloseStatus)4002);
        Assert.Equal("disconnect:4002", await _host.Events.WaitForAsync("disconnect:"));
    }

    [Fact]
    public async Task A_handler_that_throws_closes_with_1011_and_the_server_keeps_serving()
    {
        using var failing = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await failing.SendTextAsync("throw");
        Assert.Equal(WebSocketCloseStatus.InternalServerError, await failing.ReceiveCloseAsync());

        using var other = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await other.SendTextAsync("still here");
        Assert.Equal("still here", await other.ReceiveTextAsync());
        Assert.Contains(_host.Logs.WithEvent("HandlerFailed"), r => r.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task StopConsumer_closes_with_1000()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await client.SendTextAsync("stop");
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.ReceiveCloseAsync());
    }

    [Theory]
    [InlineData("?reject", HttpStatusCode.Forbidden)]
    [InlineData("?reject=401", HttpStatusCode.Unauthorized)]
    [InlineData("?close", HttpStatusCode.Forbidden)]
    [InlineData("?throw", HttpStatusCode.InternalServerError)]
    public async Task A_refused_connection_gets_the_HTTP_status_and_the_consumer_stops(string query, HttpStatusCode expected)
    {
        Assert.Equal(expected, await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri("/ws/gate/" + query)));
        Assert.StartsWith("gate-stopped:", await _host.Events.WaitForAsync("gate-stopped:"));
    }

    [Fact]
    public async Task The_consumer_picks_one_of_the_offered_subprotocols()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/gate/?protocol=b"), o =>
        {
            o.AddSubProtocol("a");
            o.AddSubProtocol("b");
        });
        Assert.Equal("b", client.Socket.SubProtocol);
        Assert.Equal("protocol:b", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Choosing_a_subprotocol_the_client_did_not_offer_fails_the_connect()
    {
        Assert.Equal(HttpStatusCode.InternalServerError, await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri("/ws/gate/?protocol=c"), o => o.AddSubProtocol("a")));
    }

    [Fact]
    public async Task A_plain_HTTP_request_to_a_WebSocket_route_gets_426()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(_host.HttpUri("/ws/echo/"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("13", response.Headers.GetValues("Sec-WebSocket-Version").Single());
    }

    [Fact]
    public async Task Group_messages_reach_every_member_of_the_room_and_only_them()
    {
        using var alice = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/lobby/"));
        using var bob = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/lobby/"));
        using var carol = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/kitchen/"));
        foreach (var client in new[] { alice, bob, carol })
        {
            Assert.Contains("\"type\":\"test.hello\"", await client.ReceiveTextAsync());
        }

        await alice.SendTextAsync("""{"type":"chat.say","text":"hi all"}""");
        Assert.Equal("""{"type":"chat.message","room":"lobby","text":"hi all"}""", await alice.ReceiveTextAsync());
        Assert.Equal("""{"type":"chat.message","room":"lobby","text":"hi all"}""", await bob.ReceiveTextAsync());

        await carol.SendTextAsync("""{"type":"chat.say","text":"kitchen only"}""");
        Assert.Equal("""{"type":"chat.message","room":"kitchen","text":"kitchen only"}""", await carol.ReceiveTextAsync());
        await alice.SendTextAsync("""{"type":"chat.say","text":"second"}""");
        Assert.Contains("second", await bob.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_send_to_the_connection_channel_reaches_the_client()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/direct/"));
        using var hello = JsonDocument.Parse(await client.ReceiveTextAsync());
        var channel = hello.RootElement.GetProperty("channel").GetString()!;
        Assert.Contains('!', channel);

        await _host.Layer.SendAsync(channel, ChannelMessage.Create(new ChatMessage("direct", "just you")), TestContext.Current.CancellationToken);
        Assert.Equal("""{"type":"chat.message","room":"direct","text":"just you"}""", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Server_shutdown_closes_connections_with_1001()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"));
        await client.SendTextAsync("ready");
        Assert.Equal("ready", await client.ReceiveTextAsync());
        var stopping = _host.StopAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
        await client.CloseAsync(WebSocketCloseStatus.EndpointUnavailable);
        await stopping;
    }
}
