using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Switchyard.AspNetCore.Tests.Consumers;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>
/// What a stranger's bad input costs the server: a 4xx or a close code, and one log line in which nothing the client
/// sent can forge another line, with no stack trace.
/// </summary>
public sealed class ClientInputTests : IAsyncLifetime
{
    private KestrelHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("a%20b")]
    [InlineData("caf%C3%A9")]
    [InlineData("a!b")]
    public async Task A_route_value_that_cannot_name_the_group_is_refused_with_400_before_the_handshake(string room)
    {
        var status = await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri($"/ws/chat/{room}/"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var refused = Assert.Single(_host.Logs.WithEvent("WebSocketRefused"));
        Assert.Equal(LogLevel.Information, refused.Level);
        Assert.Null(refused.Exception);
        Assert.Contains("HTTP 400", refused.Message, StringComparison.Ordinal);
        Assert.Contains("group name", refused.Message, StringComparison.Ordinal);

        // No consumer ran, nothing failed, and nothing else was logged above Debug.
        Assert.Empty(_host.Logs.WithEvent("ConsumerStarted"));
        Assert.Single(SwitchyardLines(LogLevel.Information));
        Assert.DoesNotContain(_host.Logs.All, r => r.Exception is not null);

        // A valid room still connects.
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/a-b/"));
        Assert.Contains("test.hello", await client.ReceiveTextAsync(), StringComparison.Ordinal);
        await client.CloseAsync();
    }

    [Fact]
    public async Task A_route_value_with_CR_LF_cannot_forge_a_log_line()
    {
        var status = await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri("/ws/chat/x%0D%0Afail%3A%20forged/"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var refused = Assert.Single(_host.Logs.WithEvent("WebSocketRefused"));
        Assert.DoesNotContain('\r', refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Contains(@"x\r\nfail: forged", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_type_with_CR_LF_is_logged_on_one_line()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/forge/"));
        Assert.Contains("test.hello", await client.ReceiveTextAsync(), StringComparison.Ordinal);

        // The JSON escapes \r\n become a real CR LF in the type the server reads.
        await client.SendTextAsync("""{"type":"chat.x\r\nfail: Switchyard.Server[1] admin logged in"}""");

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await client.ReceiveCloseAsync());
        var bad = Assert.Single(_host.Logs.WithEvent("WebSocketBadInput"));
        Assert.DoesNotContain('\r', bad.Message);
        Assert.DoesNotContain('\n', bad.Message);
        Assert.Contains("unknown message type 'chat.x??fail", bad.Message, StringComparison.Ordinal);
        await client.CloseAsync(WebSocketCloseStatus.InvalidMessageType);
    }

    [Fact]
    public async Task Malformed_JSON_is_one_log_line_without_a_stack_trace_and_the_close_is_logged_once()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/chat/malformed/"));
        Assert.Contains("test.hello", await client.ReceiveTextAsync(), StringComparison.Ordinal);

        await client.SendTextAsync("{not json");
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await client.ReceiveCloseAsync());

        // More garbage while the close is under way is not logged again.
        await client.SendTextAsync("{still not json");
        await client.CloseAsync(WebSocketCloseStatus.InvalidPayloadData);
        await _host.Logs.WaitForAsync("WebSocketClosed");

        var bad = Assert.Single(_host.Logs.WithEvent("WebSocketBadInput"));
        Assert.Null(bad.Exception);
        Assert.Contains("malformed JSON", bad.Message, StringComparison.Ordinal);
        Assert.Contains("1007", bad.Message, StringComparison.Ordinal);
        Assert.Equal(bad, Assert.Single(SwitchyardLines(LogLevel.Information)));
        Assert.Single(_host.Logs.WithEvent("WebSocketClosed"));
        Assert.DoesNotContain(_host.Logs.All, r => r.Exception is not null);
    }

    [Fact]
    public async Task A_full_channel_in_a_client_handler_does_not_close_the_speaker_and_the_consumer_can_tell_it()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/full/?tell"));

        // The sink holds its capacity; the next line is refused, and the speaker is told so.
        for (var i = 0; i <= ChannelLayerOptions.DefaultCapacity; i++)
        {
            await client.SendTextAsync($$"""{"type":"chat.say","text":"line {{i}}"}""");
        }

        Assert.Equal($$"""{"type":"chat.message","room":"full","text":"{{FullChannelConsumer.Sink}}"}""", await client.ReceiveTextAsync());
        await client.SendTextAsync("""{"type":"chat.flood","count":1,"size":0}""");
        Assert.Equal("""{"type":"chat.message","room":"alive","text":"1"}""", await client.ReceiveTextAsync());

        await client.CloseAsync();
        Assert.Equal("full-disconnect:1000", await _host.Events.WaitForAsync("full-disconnect:"));
        Assert.Empty(_host.Logs.WithEvent("HandlerFailed"));
        Assert.Single(_host.Logs.WithEvent("WebSocketClientMessageRefused"));
        Assert.Single(_host.Logs.WithEvent("ChannelFull"));
    }

    [Fact]
    public async Task By_default_a_full_channel_drops_the_client_message_and_keeps_the_connection_open()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/full/"));

        for (var i = 0; i < ChannelLayerOptions.DefaultCapacity + 5; i++)
        {
            await client.SendTextAsync($$"""{"type":"chat.say","text":"line {{i}}"}""");
        }

        await client.SendTextAsync("""{"type":"chat.flood","count":2,"size":0}""");
        Assert.Equal("""{"type":"chat.message","room":"alive","text":"2"}""", await client.ReceiveTextAsync());

        await client.CloseAsync();
        Assert.Equal("full-disconnect:1000", await _host.Events.WaitForAsync("full-disconnect:"));
        Assert.Equal(5, _host.Logs.WithEvent("WebSocketClientMessageRefused").Count());
        Assert.Empty(_host.Logs.WithEvent("HandlerFailed"));
        Assert.DoesNotContain(_host.Logs.All, r => r.Level >= LogLevel.Error);
    }

    private IEnumerable<CapturingLoggerProvider.LogRecord> SwitchyardLines(LogLevel atLeast) =>
        _host.Logs.All.Where(r => r.Level >= atLeast && r.Category.StartsWith("Switchyard", StringComparison.Ordinal));
}
