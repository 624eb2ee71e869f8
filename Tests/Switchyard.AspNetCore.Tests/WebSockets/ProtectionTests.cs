using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.AspNetCore.Tests.Support;
using Switchyard.Server;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>The limits that protect the server: message size, keep-alive, connect timeout, slow clients, connection count.</summary>
public sealed class ProtectionTests
{
    private const int FloodSize = 4000;

    // Messages per flood round. A round is 40 KB per member: less than Kestrel's output buffer (64 KB), so a member that
    // reads each round before the next never makes the server wait on its socket, and its send queue never holds more
    // than one message, however small SendQueueCapacity is. It is also well under the channel layer's default
    // per-channel capacity (100), so group sends never skip a member and ChannelLayerOptions.Capacity can stay as is.
    private const int FloodPerRound = 10;

    // Enough rounds (40 MB) to fill any loopback socket buffers of a client that never reads (a few MB at most).
    private const int MaxFloodRounds = 1000;

    [Fact]
    public async Task A_message_over_MaxMessageSize_closes_with_1009()
    {
        await using var host = await KestrelHost.StartAsync(o => o.WebSockets.MaxMessageSize = 1024);
        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"));

        await client.SendTextAsync(new string('a', 2000));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
        Assert.Equal("disconnect:1009", await host.Events.WaitForAsync("disconnect:"));
        Assert.Contains(host.Logs.WithEvent("WebSocketBadInput"), r => r.Message.Contains("1009", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_of_exactly_MaxMessageSize_is_echoed_and_one_byte_more_closes_with_1009()
    {
        await using var host = await KestrelHost.StartAsync(o => o.WebSockets.MaxMessageSize = 1024);
        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"));

        var exactly = new string('b', 1024);
        await client.SendTextAsync(exactly);
        Assert.Equal(exactly, await client.ReceiveTextAsync());

        // Fragments that add up to exactly the limit are fine too.
        var cancellation = TestContext.Current.CancellationToken;
        await client.Socket.SendAsync(Enumerable.Repeat((byte)'c', 512).ToArray(), WebSocketMessageType.Text, endOfMessage: false, cancellation);
        await client.Socket.SendAsync(Enumerable.Repeat((byte)'c', 512).ToArray(), WebSocketMessageType.Text, endOfMessage: true, cancellation);
        Assert.Equal(new string('c', 1024), await client.ReceiveTextAsync());

        await client.SendTextAsync(new string('d', 1025));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task A_fragmented_message_whose_fragments_add_up_past_MaxMessageSize_closes_with_1009()
    {
        await using var host = await KestrelHost.StartAsync(o => o.WebSockets.MaxMessageSize = 1024);
        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"));
        var cancellation = TestContext.Current.CancellationToken;
        var fragment = new byte[600];
        Array.Fill(fragment, (byte)'f');

        // Each fragment is under the limit; the message they make is not.
        await client.Socket.SendAsync(fragment, WebSocketMessageType.Text, endOfMessage: false, cancellation);
        await client.Socket.SendAsync(fragment, WebSocketMessageType.Text, endOfMessage: false, cancellation);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
        Assert.Equal("disconnect:1009", await host.Events.WaitForAsync("disconnect:"));
    }

    [Fact]
    public async Task The_server_pings_an_idle_client_and_a_pong_keeps_the_connection_open()
    {
        await using var host = await KestrelHost.StartAsync(o =>
        {
            o.WebSockets.PingInterval = TimeSpan.FromMilliseconds(100);
            o.WebSockets.PingTimeout = TimeSpan.FromMilliseconds(300);
        });
        using var client = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/");

        var first = await client.ReceiveFrameAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(first);
        Assert.Equal(RawWebSocketClient.Ping, first.Value.Opcode);
        Assert.True(first.Value.Fin);
        Assert.False(first.Value.Masked, "Server frames must not be masked.");
        await client.SendFrameAsync(RawWebSocketClient.Pong, first.Value.Payload);

        // A second ping comes only once the server saw the pong: with an unanswered ping it sends none and drops the client instead.
        var second = await client.ReceiveFrameAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(second);
        Assert.Equal(RawWebSocketClient.Ping, second.Value.Opcode);
        await client.SendFrameAsync(RawWebSocketClient.Pong, second.Value.Payload);

        await client.SendTextAsync("still open");
        var echo = await client.ReceiveDataFrameAsync();
        Assert.Equal(RawWebSocketClient.Text, echo.Opcode);
        Assert.Equal("still open", echo.Text);
        Assert.DoesNotContain(host.Events.Seen, e => e.StartsWith("disconnect:", StringComparison.Ordinal));
        Assert.Empty(host.Logs.WithEvent("WebSocketPingTimeout"));
    }

    [Fact]
    public async Task A_client_that_never_answers_pings_is_dropped_with_1006()
    {
        await using var host = await KestrelHost.StartAsync(o =>
        {
            o.WebSockets.PingInterval = TimeSpan.FromMilliseconds(100);
            o.WebSockets.PingTimeout = TimeSpan.FromMilliseconds(300);
        });
        using var client = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/");

        var ping = await client.ReceiveFrameAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(RawWebSocketClient.Ping, ping?.Opcode);

        // Never answered: the server gives up PingTimeout after the ping.
        var stopwatch = Stopwatch.StartNew();
        Assert.Equal("disconnect:1006", await host.Events.WaitForAsync("disconnect:"));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        // Logged (at least once: see the skipped test below for why it currently repeats).
        Assert.NotEmpty(host.Logs.WithEvent("WebSocketPingTimeout"));
    }

    [Fact]
    public async Task A_client_dropped_for_a_ping_timeout_is_let_go_at_once_not_after_the_close_timeout()
    {
        await using var host = await KestrelHost.StartAsync(o =>
        {
            o.MaxConnections = 1;
            o.WebSockets.PingInterval = TimeSpan.FromMilliseconds(100);
            o.WebSockets.PingTimeout = TimeSpan.FromMilliseconds(300);
            o.WebSockets.CloseTimeout = TimeSpan.FromSeconds(30);
        });
        using var silent = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/");

        Assert.Equal("disconnect:1006", await host.Events.WaitForAsync("disconnect:"));

        // The server gave up on the client and sent no close frame, so there is no answer to wait for: it should drop
        // the TCP connection and free the slot now, not when CloseTimeout (30 s here) runs out. The client never half-
        // closed, so the end of the stream means the endpoint returned (Kestrel closes the socket after it).
        Assert.True(await silent.ReadToEndAsync(TimeSpan.FromSeconds(5)), "The server held the timed-out connection open.");
        // One timeout, one log event (the keep-alive timer currently keeps firing, and logging, until the connection ends).
        Assert.Single(host.Logs.WithEvent("WebSocketPingTimeout"));
        using var next = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"));
        await next.SendTextAsync("admitted");
        Assert.Equal("admitted", await next.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_consumer_that_neither_accepts_nor_rejects_within_ConnectTimeout_is_refused_with_504()
    {
        await using var host = await KestrelHost.StartAsync(o => o.WebSockets.ConnectTimeout = TimeSpan.FromMilliseconds(200));

        var stopwatch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.GatewayTimeout, await WsClient.ConnectExpectingRefusalAsync(host.WebSocketUri("/ws/gate/?hang")));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(5));

        // The hanging connect step is cancelled and the consumer stops.
        Assert.StartsWith("gate-stopped:", await host.Events.WaitForAsync("gate-stopped:"));
        Assert.Contains(host.Logs.WithEvent("WebSocketRejected"), r => r.Message.Contains("504", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_too_slow_to_read_is_closed_with_1008_and_the_others_get_every_message_in_order()
    {
        await using var host = await KestrelHost.StartAsync(o =>
        {
            o.WebSockets.SendQueueCapacity = 16;
            o.WebSockets.SlowClientMode = SlowClientMode.Close;
            // The slow client reads its backlog only at the end; it must find the close frame still there.
            o.WebSockets.CloseTimeout = TimeSpan.FromSeconds(30);
        });

        // A small receive buffer, so that the buffers in front of a client that never reads fill sooner.
        using var slow = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/chat/flood/", receiveBufferSize: 4096);
        using var flooder = await WsClient.ConnectAsync(host.WebSocketUri("/ws/chat/flood/"));
        using var reader = await WsClient.ConnectAsync(host.WebSocketUri("/ws/chat/flood/"));
        Assert.Contains("test.hello", await flooder.ReceiveTextAsync());
        Assert.Contains("test.hello", await reader.ReceiveTextAsync());

        var (rounds, slowAt) = await FloodUntilSlowClientAsync(host, flooder, reader, extraRounds: 3);

        Assert.True(slowAt >= 0, $"The slow client was never detected in {rounds} rounds of {FloodPerRound} x {FloodSize} bytes.");
        var slowLog = Assert.Single(host.Logs.WithEvent("WebSocketSlowClient"));
        Assert.Contains("1008", slowLog.Message, StringComparison.Ordinal);

        // The slow client reads at last: what the server had already handed to its socket, then the close frame.
        Assert.Equal(WebSocketCloseCodes.PolicyViolation, await slow.ReceiveCloseCodeAsync(TimeSpan.FromSeconds(20)));
        await slow.SendCloseAsync(WebSocketCloseCodes.PolicyViolation);
        Assert.Equal("chat-disconnect:1008", await host.Events.WaitForAsync("chat-disconnect:"));

        // The others are still connected and served.
        await reader.SendTextAsync("""{"type":"chat.say","text":"after"}""");
        Assert.Contains("after", await reader.ReceiveTextAsync());
        Assert.Contains("after", await flooder.ReceiveTextAsync());
    }

    [Fact]
    public async Task In_DropMessage_mode_a_slow_client_loses_messages_but_stays_open()
    {
        await using var host = await KestrelHost.StartAsync(o =>
        {
            o.WebSockets.SendQueueCapacity = 16;
            o.WebSockets.SlowClientMode = SlowClientMode.DropMessage;
        });
        using var drops = new DroppedMessageCounter(host.Services.GetRequiredService<IMeterFactory>());

        using var slow = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/chat/drop/", receiveBufferSize: 4096);
        using var flooder = await WsClient.ConnectAsync(host.WebSocketUri("/ws/chat/drop/"));
        using var reader = await WsClient.ConnectAsync(host.WebSocketUri("/ws/chat/drop/"));
        Assert.Contains("test.hello", await flooder.ReceiveTextAsync());
        Assert.Contains("test.hello", await reader.ReceiveTextAsync());

        var (rounds, slowAt) = await FloodUntilSlowClientAsync(host, flooder, reader, extraRounds: 3);
        Assert.True(slowAt >= 0, $"The slow client was never detected in {rounds} rounds of {FloodPerRound} x {FloodSize} bytes.");
        Assert.Single(host.Logs.WithEvent("WebSocketSlowClient"));

        // The slow client catches up: every flood message the server handled for it was either written (it reads it now)
        // or dropped and counted. A drop can still happen while it reads (its consumer may lag), so it waits for
        // whichever comes first: its next frame, or the next drop.
        var sent = rounds * FloodPerRound;
        var hello = await slow.ReceiveDataFrameAsync();
        Assert.Contains("test.hello", hello.Text);
        var received = 0;
        var next = slow.ReceiveDataFrameAsync(TimeSpan.FromSeconds(20));
        while (true)
        {
            var dropped = drops.NextDrop;
            if (received + drops.SlowClient >= sent)
            {
                break;
            }

            if (await Task.WhenAny(next, dropped).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken) == next)
            {
                Assert.StartsWith("""{"type":"chat.message","room":"drop","text":""", (await next).Text, StringComparison.Ordinal);
                received++;
                next = slow.ReceiveDataFrameAsync(TimeSpan.FromSeconds(20));
            }
        }

        Assert.InRange(received, 1, sent - 1);
        Assert.Equal(sent - received, drops.SlowClient);

        // It was never closed: what it says reaches the room, itself included, now that its queue is empty.
        await slow.SendTextAsync("""{"type":"chat.say","text":"slow is alive"}""");
        Assert.Contains("slow is alive", (await next).Text);
        Assert.Contains("slow is alive", await reader.ReceiveTextAsync());
        Assert.Contains("slow is alive", await flooder.ReceiveTextAsync());
        Assert.Equal(sent - received, drops.SlowClient);
    }

    [Fact]
    public async Task Connections_over_MaxConnections_are_refused_with_503_until_one_closes()
    {
        await using var host = await KestrelHost.StartAsync(o => o.MaxConnections = 2);
        using var first = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/");
        using var second = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await WsClient.ConnectExpectingRefusalAsync(host.WebSocketUri("/ws/echo/")));
        Assert.Contains(host.Logs.WithEvent("WebSocketRefused"), r => r.Message.Contains("503", StringComparison.Ordinal));

        await first.SendCloseAsync(WebSocketCloseCodes.NormalClosure);
        Assert.Equal(WebSocketCloseCodes.NormalClosure, await first.ReceiveCloseCodeAsync());
        Assert.Equal("disconnect:1000", await host.Events.WaitForAsync("disconnect:"));
        // Kestrel closes the TCP connection once the endpoint returned, which is after it released the slot.
        Assert.True(await first.ReadToEndAsync(), "The server did not close the connection after the close handshake.");

        using var third = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"));
        await third.SendTextAsync("admitted");
        Assert.Equal("admitted", await third.ReceiveTextAsync());
        await second.SendTextAsync("still here");
        Assert.Equal("still here", await second.ReceiveTextAsync());
    }

    // Floods the room in rounds that the flooder and the reader each read completely before the next, until the server
    // logs a slow client, then `extraRounds` more. Asserts both received every message of every round, in order.
    private static async Task<(int Rounds, int SlowAt)> FloodUntilSlowClientAsync(KestrelHost host, WsClient flooder, WsClient reader, int extraRounds)
    {
        var filler = new string('x', FloodSize);
        var slowAt = -1;
        var round = 0;
        for (; round < MaxFloodRounds && (slowAt < 0 || round < slowAt + 1 + extraRounds); round++)
        {
            await flooder.SendTextAsync($$"""{"type":"chat.flood","count":{{FloodPerRound}},"size":{{FloodSize}}}""");
            foreach (var member in new[] { reader, flooder })
            {
                for (var i = 0; i < FloodPerRound; i++)
                {
                    var json = await member.ReceiveTextAsync();
                    using var message = JsonDocument.Parse(json);
                    var text = message.RootElement.GetProperty("text").GetString();
                    Assert.True(text == $"{i}:{filler}", $"Round {round}: expected flood message {i}, got {json[..Math.Min(json.Length, 80)]}...");
                }
            }

            if (slowAt < 0 && host.Logs.WithEvent("WebSocketSlowClient").Any())
            {
                slowAt = round;
            }
        }

        return (round, slowAt);
    }

    /// <summary>Sums switchyard.websocket.messages.dropped with reason slow_client, from one host's meters only.</summary>
    private sealed class DroppedMessageCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _slowClient;
        private TaskCompletionSource _nextDrop = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DroppedMessageCounter(IMeterFactory meterFactory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "switchyard.websocket.messages.dropped" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason" && (string?)tag.Value == "slow_client")
                    {
                        Interlocked.Add(ref _slowClient, value);
                        Interlocked.Exchange(ref _nextDrop, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    }
                }
            });
            _listener.Start();
        }

        public long SlowClient => Interlocked.Read(ref _slowClient);

        /// <summary>Gets a task that completes at the next slow-client drop after this call.</summary>
        public Task NextDrop => Volatile.Read(ref _nextDrop).Task;

        public void Dispose() => _listener.Dispose();
    }
}
