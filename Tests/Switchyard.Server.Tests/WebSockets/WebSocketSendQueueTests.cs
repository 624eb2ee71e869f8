using System.IO.Pipelines;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Server;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets;

/// <summary>How long the oldest frame a transport has not taken has waited: what the send timeout measures.</summary>
public sealed class WebSocketSendQueueTests
{
    [Fact]
    public async Task The_oldest_unflushed_frame_is_the_first_of_a_flush_the_transport_has_not_completed()
    {
        var time = new ManualTimeProvider();
        // A transport that takes 64 bytes before a flush waits: a client that does not read.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32, useSynchronizationContext: false));
        var queue = new WebSocketSendQueue(16, new WebSocketClock(time));
        queue.Start(pipe.Writer, batch: false, maxBatch: 1024, CancellationToken.None);
        Assert.Equal(WebSocketClock.None, queue.OldestUnflushed);

        var first = time.GetTimestamp();
        Assert.Equal(SendQueueOutcome.Queued, queue.TrySend(WebSocketOpcode.Text, new byte[100], rented: null));
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(SendQueueOutcome.Queued, queue.TrySend(WebSocketOpcode.Text, new byte[10], rented: null));

        // The first frame's flush is stuck; the second waits behind it. The first is the oldest, and stays so.
        Assert.Equal(first, queue.OldestUnflushed);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(first, queue.OldestUnflushed);

        // The client reads: both frames go out and nothing waits any more.
        var expected = 2 + 100 + 2 + 10;
        var read = 0;
        while (read < expected)
        {
            var result = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
            read += (int)result.Buffer.Length;
            pipe.Reader.AdvanceTo(result.Buffer.End);
        }

        Assert.Equal(expected, read);
        Assert.True(SpinWait.SpinUntil(() => queue.OldestUnflushed == WebSocketClock.None, TimeSpan.FromSeconds(10)), "The queue still reports a frame waiting.");
    }

    [Fact]
    public void DropWaiting_drops_the_data_frames_that_waited_too_long_and_keeps_younger_ones_and_control_frames()
    {
        var time = new ManualTimeProvider();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32, useSynchronizationContext: false));
        var queue = new WebSocketSendQueue(16, new WebSocketClock(time));
        queue.Start(pipe.Writer, batch: false, maxBatch: 1024, CancellationToken.None);
        var stuck = time.GetTimestamp();
        queue.TrySend(WebSocketOpcode.Text, new byte[100], rented: null);
        time.Advance(TimeSpan.FromSeconds(1));
        queue.TrySend(WebSocketOpcode.Text, new byte[10], rented: null);
        queue.SendControl(WebSocketOpcode.Ping, ReadOnlyMemory<byte>.Empty);
        queue.TrySend(WebSocketOpcode.Binary, new byte[10], rented: null);
        time.Advance(TimeSpan.FromSeconds(2));
        queue.TrySend(WebSocketOpcode.Text, new byte[10], rented: null);

        // Two data frames have waited 2 s; the last one has just come.
        Assert.Equal(2, queue.DropWaiting(time.GetTimestamp(), TimeSpan.FromSeconds(2)));
        Assert.Equal(0, queue.DropWaiting(time.GetTimestamp(), TimeSpan.FromSeconds(2)));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, queue.DropWaiting(time.GetTimestamp(), TimeSpan.FromSeconds(2)));
        Assert.Equal(stuck, queue.OldestUnflushed);
    }
}
