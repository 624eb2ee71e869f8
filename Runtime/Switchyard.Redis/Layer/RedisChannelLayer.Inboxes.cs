using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

// The layer as its process inboxes see it (IInboxOwner, implemented explicitly so none of it is public API).
public sealed partial class RedisChannelLayer : IInboxOwner
{
    ChannelLayerOptions IInboxOwner.Options => Options;

    TimeProvider IInboxOwner.TimeProvider => TimeProvider;

    long IInboxOwner.NowMs => NowMs;

    long IInboxOwner.ExpiryMs => ExpiryMs;

    bool IInboxOwner.IsClosed => IsClosed;

    ChannelLayerClosedException IInboxOwner.ClosedException(string operation) => ClosedException(operation);

    RedisServerConnection IInboxOwner.ShardOf(string group) => ShardOf(group);

    void IInboxOwner.OnMessagesExpired(string channel, int count) => OnMessagesExpired(channel, count);

    void IInboxOwner.LogSkippedFullMembers(string group, ChannelMessage message, int skipped) => LogSkippedFullMembers(group, message, skipped);

    // The inbox of a process-local channel's non-local part (a!), on the server the ring places it.
    private ProcessInbox NewInbox(string nonLocalPart)
    {
        var shard = _ring.GetShard(nonLocalPart);
        return new ProcessInbox(this, nonLocalPart, shard, _shards[shard], _keys, _encryption, Logger, Metrics);
    }
}
