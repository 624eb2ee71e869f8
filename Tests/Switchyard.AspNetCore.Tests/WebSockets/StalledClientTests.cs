using System.Diagnostics;
using System.Globalization;
using System.Text;
using Switchyard.AspNetCore.Tests.Support;
using Switchyard.Server;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>
/// Clients that hold a connection without using it (issue 12, rows 5 and 6): one that never reads what it is sent
/// (SendTimeout), one that trickles a message (MessageTimeout), one that sends endless fragments (MaxMessageFragments).
/// </summary>
public sealed class StalledClientTests
{
    // 16 MB per flood: far more than a loopback socket that is not read can hold (a few MB), so the server's writes stall.
    private const int FloodCount = 4096;
    private const int FloodSize = 4096;

    [Fact]
    public async Task A_client_that_never_reads_is_closed_with_1008_after_SendTimeout_while_a_client_that_reads_gets_everything()
    {
        var sendTimeout = TimeSpan.FromSeconds(2);
        await using var host = await KestrelHost.StartAsync(o =>
        {
            o.WebSockets.SendTimeout = sendTimeout;
            // A queue that never fills: only the age of its oldest frame can find the client.
            o.WebSockets.SendQueueCapacity = 100_000;
            // The stalled client reads its backlog only at the end; it must find the close frame still there.
            o.WebSockets.CloseTimeout = TimeSpan.FromSeconds(30);
        });
        using var stalled = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/firehose/", receiveBufferSize: 4096);
        var stalledChannel = (await host.Events.WaitForAsync("firehose-connected:"))["firehose-connected:".Length..];
        using var reader = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/firehose/");
        await host.Events.WaitForAsync("firehose-connected:");

        var stopwatch = Stopwatch.StartNew();
        await stalled.SendTextAsync($"flood:{FloodCount}:{FloodSize}");

        // Meanwhile a client that reads gets every message, in order, however long that takes.
        await reader.SendTextAsync($"flood:{FloodCount}:{FloodSize}");
        for (var i = 0; i < FloodCount; i++)
        {
            var frame = await reader.ReceiveDataFrameAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(FloodSize, frame.Payload.Length);
            Assert.Equal(i, IndexOf(frame));
        }

        var log = await host.Logs.WaitForAsync("WebSocketSendTimeout", TimeSpan.FromSeconds(30));
        Assert.InRange(stopwatch.Elapsed, sendTimeout, TimeSpan.FromSeconds(60));
        Assert.Contains(stalledChannel, log.Message, StringComparison.Ordinal);
        Assert.Contains("1008", log.Message, StringComparison.Ordinal);
        Assert.Empty(host.Logs.WithEvent("WebSocketSlowClient"));

        // The reader is still open and served; only the stalled client was found.
        await reader.SendTextAsync("still here");
        Assert.Equal("still here", (await reader.ReceiveDataFrameAsync()).Text);
        Assert.Single(host.Logs.WithEvent("WebSocketSendTimeout"));

        // The stalled client reads at last: what its socket already held, then the close frame.
        Assert.Equal(WebSocketCloseCodes.PolicyViolation, await stalled.ReceiveCloseCodeAsync(TimeSpan.FromSeconds(30)));
        await stalled.SendCloseAsync(WebSocketCloseCodes.PolicyViolation);
        Assert.Equal("firehose-disconnect:1008", await host.Events.WaitForAsync("firehose-disconnect:"));
    }

    [Fact]
    public async Task In_DropMessage_mode_a_client_that_stops_reading_loses_what_waited_and_stays_open()
    {
        await using var host = await KestrelHost.StartAsync(o =>
        {
            o.WebSockets.SendTimeout = TimeSpan.FromSeconds(1);
            o.WebSockets.SendQueueCapacity = 100_000;
            o.WebSockets.SlowClientMode = SlowClientMode.DropMessage;
        });
        using var stalled = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/firehose/", receiveBufferSize: 4096);

        await stalled.SendTextAsync($"flood:{FloodCount}:{FloodSize}");
        var log = await host.Logs.WaitForAsync("WebSocketSendTimeout", TimeSpan.FromSeconds(30));
        Assert.Contains("dropping", log.Message, StringComparison.Ordinal);

        // It reads again: what its socket held (at least Kestrel's 64 KB, 16 messages), in order, with a gap where the
        // dropped messages were. Once reading, it asks for an echo: a new message, which is not dropped.
        var received = 0;
        var last = -1;
        var asked = false;
        while (true)
        {
            var frame = await stalled.ReceiveDataFrameAsync(TimeSpan.FromSeconds(30));
            if (frame.Text == "after")
            {
                break;
            }

            var index = IndexOf(frame);
            Assert.True(index > last, $"Message {index} came after {last}.");
            last = index;
            received++;
            if (!asked && received == 10)
            {
                asked = true;
                await stalled.SendTextAsync("after");
            }
        }

        Assert.True(asked, "The client got fewer than 10 messages before the echo.");
        Assert.InRange(received, 10, FloodCount - 1);
        Assert.DoesNotContain(host.Events.Seen, e => e.StartsWith("firehose-disconnect:", StringComparison.Ordinal));
        Assert.Single(host.Logs.WithEvent("WebSocketSendTimeout"));
    }

    [Fact]
    public async Task A_frame_trickled_a_byte_at_a_time_is_closed_with_1008_after_MessageTimeout()
    {
        var messageTimeout = TimeSpan.FromSeconds(1);
        await using var host = await KestrelHost.StartAsync(o => o.WebSockets.MessageTimeout = messageTimeout);
        using var client = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/");
        var frame = RawWebSocketClient.EncodeFrame(RawWebSocketClient.Text, "a message that never ends"u8, fin: true, reserved: 0, masked: true, maskKey: 0x1234567);
        var cancellation = TestContext.Current.CancellationToken;

        var close = client.ReceiveCloseCodeAsync(TimeSpan.FromSeconds(20));
        var stopwatch = Stopwatch.StartNew();
        // Every byte but the last, one each 200 ms: 5 s for the frame, were the server to wait for it.
        for (var i = 0; i < frame.Length - 1 && !close.IsCompleted; i++)
        {
            try
            {
                await client.SendRawAsync(frame.AsMemory(i, 1));
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(close, Task.Delay(200, cancellation));
        }

        Assert.Equal(WebSocketCloseCodes.PolicyViolation, await close);
        // Not before the timeout; no upper bound (a loaded machine may be slow to tick), since the frame's last byte is
        // never sent: only the timeout can have closed it, as the log line below says.
        Assert.True(stopwatch.Elapsed >= messageTimeout, $"closed after {stopwatch.Elapsed}, before the {messageTimeout} timeout");
        Assert.Equal("disconnect:1008", await host.Events.WaitForAsync("disconnect:"));
        Assert.Contains(host.Logs.WithEvent("WebSocketBadInput"), r => r.Message.Contains("not completed within", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fragmented_messages_that_each_finish_within_MessageTimeout_are_delivered_however_long_the_connection_lasts()
    {
        await using var host = await KestrelHost.StartAsync(o => o.WebSockets.MessageTimeout = TimeSpan.FromSeconds(2));
        using var client = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/");
        var cancellation = TestContext.Current.CancellationToken;
        var stopwatch = Stopwatch.StartNew();

        // Three messages of about 1 s each: every one within the limit, all of them together well over it.
        for (var m = 0; m < 3; m++)
        {
            await client.SendFrameAsync(RawWebSocketClient.Text, "part1-"u8, fin: false);
            await Task.Delay(500, cancellation);
            await client.SendFrameAsync(RawWebSocketClient.Continuation, "part2-"u8, fin: false);
            await Task.Delay(500, cancellation);
            await client.SendFrameAsync(RawWebSocketClient.Continuation, Encoding.UTF8.GetBytes(m.ToString(CultureInfo.InvariantCulture)), fin: true);
            Assert.Equal($"part1-part2-{m}", (await client.ReceiveDataFrameAsync()).Text);
        }

        Assert.True(stopwatch.Elapsed > TimeSpan.FromSeconds(2), "The messages together did not outlast the limit.");
        Assert.DoesNotContain(host.Events.Seen, e => e.StartsWith("disconnect:", StringComparison.Ordinal));
        Assert.Empty(host.Logs.WithEvent("WebSocketBadInput"));
    }

    [Fact]
    public async Task A_message_of_MaxMessageFragments_is_delivered_and_one_of_more_is_closed_with_1008()
    {
        await using var host = await KestrelHost.StartAsync(o => o.WebSockets.MaxMessageFragments = 4);
        using var client = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/");

        await client.SendFrameAsync(RawWebSocketClient.Text, "a"u8, fin: false);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, "b"u8, fin: false);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, "c"u8, fin: false);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, "d"u8, fin: true);
        Assert.Equal("abcd", (await client.ReceiveDataFrameAsync()).Text);

        await client.SendFrameAsync(RawWebSocketClient.Text, "a"u8, fin: false);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, "b"u8, fin: false);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, "c"u8, fin: false);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, "d"u8, fin: false);
        await client.SendFrameAsync(RawWebSocketClient.Continuation, "e"u8, fin: true);

        Assert.Equal(WebSocketCloseCodes.PolicyViolation, await client.ReceiveCloseCodeAsync());
        Assert.Equal("disconnect:1008", await host.Events.WaitForAsync("disconnect:"));
        Assert.Contains(host.Logs.WithEvent("WebSocketBadInput"), r => r.Message.Contains("more than 4 fragments", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_endless_stream_of_empty_continuation_frames_is_closed_with_1008_at_the_default_limit()
    {
        await using var host = await KestrelHost.StartAsync();
        using var client = await RawWebSocketClient.ConnectAsync(host.Address, "/ws/echo/");
        var limit = new SwitchyardWebSocketOptions().MaxMessageFragments;

        // The first frame and `limit` empty continuations: the last one is one fragment too many.
        using var frames = new MemoryStream();
        frames.Write(RawWebSocketClient.EncodeFrame(RawWebSocketClient.Text, [], fin: false, reserved: 0, masked: true, maskKey: 7));
        for (var i = 0; i < limit; i++)
        {
            frames.Write(RawWebSocketClient.EncodeFrame(RawWebSocketClient.Continuation, [], fin: false, reserved: 0, masked: true, maskKey: 7));
        }

        await client.SendRawAsync(frames.ToArray());

        Assert.Equal(WebSocketCloseCodes.PolicyViolation, await client.ReceiveCloseCodeAsync());
        Assert.Equal("disconnect:1008", await host.Events.WaitForAsync("disconnect:"));
        Assert.Contains(host.Logs.WithEvent("WebSocketBadInput"), r => r.Message.Contains($"more than {limit} fragments", StringComparison.Ordinal));
    }

    // The index a firehose message starts with ("17:xxxx...").
    private static int IndexOf(RawFrame frame)
    {
        var colon = Array.IndexOf(frame.Payload, (byte)':');
        Assert.True(colon > 0, "A flood message without its index.");
        return int.Parse(Encoding.ASCII.GetString(frame.Payload, 0, colon), CultureInfo.InvariantCulture);
    }
}
