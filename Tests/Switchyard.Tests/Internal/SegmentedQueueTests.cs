using Switchyard.Internal;
using Xunit;

namespace Switchyard.Tests.Internal;

public sealed class SegmentedQueueTests
{
    [Fact]
    public void Items_come_out_in_order_across_many_segments_and_interleaved_use()
    {
        var queue = new SegmentedQueue<int>();
        var expected = new Queue<int>();
        var random = new Random(1234);
        var next = 0;
        for (var round = 0; round < 2000; round++)
        {
            // Bursts of up to 300 in, up to 300 out: crosses segment boundaries both ways.
            for (var i = random.Next(300); i > 0; i--)
            {
                queue.Enqueue(next);
                expected.Enqueue(next++);
            }

            for (var i = random.Next(300); i > 0 && expected.Count > 0; i--)
            {
                Assert.True(queue.TryPeek(out var peeked));
                Assert.True(queue.TryDequeue(out var item));
                Assert.Equal(peeked, item);
                Assert.Equal(expected.Dequeue(), item);
            }

            Assert.Equal(expected.Count, queue.Count);
        }
    }

    [Fact]
    public void An_emptied_queue_reports_empty_and_is_reusable()
    {
        var queue = new SegmentedQueue<string>();
        Assert.False(queue.TryPeek(out _));
        Assert.False(queue.TryDequeue(out _));
        for (var i = 0; i < 130; i++)
        {
            queue.Enqueue($"m{i}");
        }

        for (var i = 0; i < 130; i++)
        {
            Assert.True(queue.TryDequeue(out var item));
            Assert.Equal($"m{i}", item);
        }

        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryDequeue(out _));
        queue.Enqueue("again");
        Assert.True(queue.TryDequeue(out var again));
        Assert.Equal("again", again);
    }
}
