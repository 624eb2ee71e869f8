using System.Threading.Channels;

namespace Switchyard.Redis;

/// <content>The local buffer of one subscribed channel.</content>
public sealed partial class RedisPubSubChannelLayer
{
    /// <summary>
    /// One channel this process is subscribed to: the messages that arrived for it and are not yet received (unbounded),
    /// who is receiving, and the groups it is a local member of. Guarded by the layer's lock, except the buffer itself.
    /// </summary>
    private sealed class ChannelBuffer(string channel, string key, int shard)
    {
        private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Channel { get; } = channel;

        public string Key { get; } = key;

        public int Shard { get; } = shard;

        public Channel<ChannelMessage> Messages { get; } = System.Threading.Channels.Channel.CreateUnbounded<ChannelMessage>(
            new UnboundedChannelOptions { SingleReader = false, SingleWriter = false, AllowSynchronousContinuations = false });

        /// <summary>Gets the Redis keys of the groups this channel is a local member of.</summary>
        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets or sets how many receives are waiting on the channel right now.</summary>
        public int Receivers { get; set; }

        /// <summary>Gets or sets when the channel was last used (<see cref="Environment.TickCount64"/>).</summary>
        public long IdleSince { get; set; }

        /// <summary>Gets a task that completes once the first SUBSCRIBE for the channel has been answered (or has failed).</summary>
        public Task Subscribed => _subscribed.Task;

        public void MarkSubscribed() => _subscribed.TrySetResult();

        /// <summary>Takes every buffered message off, returning how many there were.</summary>
        public int Drain()
        {
            var count = 0;
            while (Messages.Reader.TryRead(out _))
            {
                count++;
            }

            return count;
        }
    }
}
