using System.Threading.Channels;
using Switchyard.Redis.Forwarding;

namespace Switchyard.Redis;

/// <content>The local buffer of one subscribed channel.</content>
public sealed partial class RedisPubSubChannelLayer
{
    /// <summary>
    /// One channel this process is subscribed to: its forwarder and the messages waiting for its room (see
    /// <see cref="LocalMember"/>), the messages that arrived for it and are not yet received (unbounded), who is
    /// receiving, and the groups it is a local member of. Guarded by the layer's lock, except the buffer itself.
    /// </summary>
    private sealed class ChannelBuffer : LocalMember
    {
        private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly RedisPubSubChannelLayer _layer;

        public ChannelBuffer(RedisPubSubChannelLayer layer, string channel, string key, int shard)
            : base(layer.Options.FullMemberTimeout, layer.TimeProvider, layer._stopping.Token)
        {
            _layer = layer;
            Channel = channel;
            Key = key;
            Shard = shard;
        }

        public string Channel { get; }

        public string Key { get; }

        public int Shard { get; }

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

        /// <summary>Takes every buffered message off, and those waiting for room, returning how many there were.</summary>
        public int Drain()
        {
            var count = ClearWaiting();
            while (Messages.Reader.TryRead(out _))
            {
                count++;
            }

            return count;
        }

        // A group member whose forwarder dropped the message (its client too slow, or gone) is counted and logged as a
        // member skipped because it was full.
        protected override void OnForwarded(in MemberDelivery delivery, bool dropped)
        {
            if (dropped && delivery.Group is { } group)
            {
                _layer.Metrics.DroppedFull();
                _layer.LogSkippedFullMembers(group, delivery.Message, 1);
            }
        }

        // No capacity on this layer: the buffer always takes it, unless it was dropped (idle or flushed) meanwhile.
        protected override bool TryBuffer(in MemberDelivery delivery, bool mayWait)
        {
            if (!Messages.Writer.TryWrite(delivery.Message) && !_layer.IsClosed)
            {
                _layer.Metrics.Expired(1);
                RedisLog.MessagesDropped(_layer.Logger, 1, Channel, _layer._redisOptions.IdleSubscription);
            }

            return true;
        }

        protected override Task WaitForBufferRoomAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        protected override void OnForwarderFailed(Exception error) => RedisLog.PubSubForwarderFailed(_layer.Logger, error, Channel);

        protected override void OnPumpFailed(Exception error, int dropped) => RedisLog.PubSubWaitingMessagesFailed(_layer.Logger, error, dropped, Channel);
    }
}
