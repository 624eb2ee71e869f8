using System.Threading.Channels;
using StackExchange.Redis;

namespace Switchyard.Redis.PubSub;

/// <summary>
/// Hands each message of a StackExchange.Redis subscription (<see cref="ChannelMessageQueue"/>) to a callback on the
/// thread that received it, StackExchange.Redis's reader of the subscription connection, before the next message is
/// read off that connection. So the messages of every Redis channel a layer subscribed to on one server are handled in
/// the order Redis sent them, as one stream: a group message and a direct message to the same channel keep their
/// order. StackExchange.Redis's own ways do not keep that order across channels: handlers run on the thread pool in no
/// order, and a queue's <see cref="ChannelMessageQueue.OnMessage(Action{StackExchange.Redis.ChannelMessage})"/> loop
/// keeps the order of its own channel only.
/// </summary>
/// <remarks>
/// The queue wakes a waiting read through the read's synchronization context (it never completes it inline itself);
/// the pump's reads wait with a context that runs that wake-up at once, so the callback runs inside the queue's write,
/// and the next read waits again before the reader moves on. The callback must be quick and must not wait: the whole
/// connection waits for it. It runs without a synchronization context, so nothing it starts comes back to that thread.
/// </remarks>
internal static class SubscriptionPump
{
    /// <summary>Starts handing the messages of <paramref name="queue"/> to <paramref name="received"/>, until the queue is unsubscribed.</summary>
    /// <param name="queue">The subscription.</param>
    /// <param name="received">Called with each message's payload, in order; what it throws goes to <paramref name="failed"/>.</param>
    /// <param name="failed">Called when <paramref name="received"/> threw; the pump goes on with the next message.</param>
    public static void Start(ChannelMessageQueue queue, Action<RedisValue> received, Action<Exception> failed)
    {
        // Not the caller's execution context (its activity, its scope): the pump outlives the call that subscribed.
        using (ExecutionContext.SuppressFlow())
        {
            _ = RunAsync(queue, received, failed);
        }
    }

    private static async Task RunAsync(ChannelMessageQueue queue, Action<RedisValue> received, Action<Exception> failed)
    {
        while (true)
        {
            StackExchange.Redis.ChannelMessage message;
            SynchronizationContext.SetSynchronizationContext(InlineContext.Instance);
            try
            {
                // Captures InlineContext on purpose: the write that completes this read runs the rest of the loop.
                message = await queue.ReadAsync().ConfigureAwait(true);
            }
            catch (ChannelClosedException)
            {
                return;
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(null);
            }

            try
            {
                received(message.Message);
            }
#pragma warning disable CA1031 // One bad message must not end the subscription: it is reported, and the next one is handled.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed(ex);
            }
        }
    }

    /// <summary>Runs what is posted to it at once, on the posting thread.</summary>
    private sealed class InlineContext : SynchronizationContext
    {
        public static readonly InlineContext Instance = new();

        public override void Post(SendOrPostCallback d, object? state) => d(state);

        public override void Send(SendOrPostCallback d, object? state) => d(state);

        public override SynchronizationContext CreateCopy() => this;
    }
}
