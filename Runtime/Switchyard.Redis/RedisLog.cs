using Microsoft.Extensions.Logging;

namespace Switchyard.Redis;

/// <summary>
/// Every log event of the Redis layers, in one place: connections 500–509, the Redis channel layer 510–519, the pub/sub
/// layer 520–529. Logged under the category <c>Switchyard.Redis</c> or the layer's own.
/// </summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 500, EventName = "RedisConnectionLost", Level = LogLevel.Warning,
        Message = "Lost the connection to Redis at {Server}; commands fail fast while it reconnects.")]
    public static partial void ConnectionLost(ILogger logger, Exception? exception, string server);

    [LoggerMessage(EventId = 501, EventName = "RedisReconnected", Level = LogLevel.Information,
        Message = "Connected to Redis at {Server}.")]
    public static partial void Reconnected(ILogger logger, string server);

    [LoggerMessage(EventId = 502, EventName = "RedisStartedWithoutServer", Level = LogLevel.Warning,
        Message = "Could not connect to Redis at {Server} ({Reason}); the layer starts without it and connects when it is there, trying every {Interval} at most.")]
    public static partial void StartedWithoutServer(ILogger logger, string server, string reason, TimeSpan interval);

    // The Redis channel layer.
    [LoggerMessage(EventId = 510, EventName = "RedisUnreadableEntry", Level = LogLevel.Error,
        Message = "Dropped an entry of channel '{Channel}' that this layer cannot read.")]
    public static partial void UnreadableEntry(ILogger logger, Exception exception, string channel);

    [LoggerMessage(EventId = 511, EventName = "RedisInboxLoopFailed", Level = LogLevel.Error,
        Message = "The receive loop of process inbox '{Inbox}' failed; it starts again.")]
    public static partial void InboxLoopFailed(ILogger logger, Exception exception, string inbox);

    [LoggerMessage(EventId = 512, EventName = "RedisInboxEntryFailed", Level = LogLevel.Error,
        Message = "An entry of process inbox '{Inbox}' could not be delivered (Redis went away while it was handled); it was dropped.")]
    public static partial void InboxEntryFailed(ILogger logger, Exception exception, string inbox);

    [LoggerMessage(EventId = 513, EventName = "RedisStaleGroupMembership", Level = LogLevel.Warning,
        Message = "The members of group '{Group}' could not be loaded for process inbox '{Inbox}' (Redis is away); the message went to the members known before.")]
    public static partial void StaleMembership(ILogger logger, Exception exception, string group, string inbox);

    [LoggerMessage(EventId = 514, EventName = "RedisForwarderFailed", Level = LogLevel.Error,
        Message = "The forwarder attached to channel '{Channel}' threw; the message took the normal path (the channel's buffer).")]
    public static partial void ForwarderFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(EventId = 515, EventName = "RedisWaitingMessagesFailed", Level = LogLevel.Error,
        Message = "Delivering the {Count} message(s) of channel '{Channel}' that waited for room failed; they were dropped.")]
    public static partial void WaitingMessagesFailed(ILogger logger, Exception exception, int count, string channel);

    // The pub/sub layer.
    [LoggerMessage(EventId = 520, EventName = "RedisPubSubMessagesDropped", Level = LogLevel.Warning,
        Message = "Dropped {Count} unread message(s) of channel '{Channel}': nobody in this process received on it for {Idle}, so its subscription ended.")]
    public static partial void MessagesDropped(ILogger logger, int count, string channel, TimeSpan idle);

    [LoggerMessage(EventId = 521, EventName = "RedisPubSubUnreadableMessage", Level = LogLevel.Error,
        Message = "Dropped a message published on '{Key}' that this layer cannot read.")]
    public static partial void UnreadableMessage(ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 522, EventName = "RedisPubSubSubscriptionFailed", Level = LogLevel.Warning,
        Message = "{Command} '{Key}' failed on Redis at {Server}; it is tried again when the connection is back, or every second while it is up.")]
    public static partial void SubscriptionFailed(ILogger logger, Exception exception, string command, string key, string server);

    [LoggerMessage(EventId = 523, EventName = "RedisPubSubResubscribed", Level = LogLevel.Information,
        Message = "Subscribed again to {Count} channel(s) and group(s) on Redis at {Server}; what was published to them while they were not subscribed is lost.")]
    public static partial void Resubscribed(ILogger logger, int count, string server);

    [LoggerMessage(EventId = 524, EventName = "RedisPubSubIdleChannelDropped", Level = LogLevel.Debug,
        Message = "Ended the subscription of channel '{Channel}': nobody in this process received on it for {Idle}.")]
    public static partial void IdleChannelDropped(ILogger logger, string channel, TimeSpan idle);

    [LoggerMessage(EventId = 525, EventName = "RedisPubSubForwarderFailed", Level = LogLevel.Error,
        Message = "The forwarder attached to channel '{Channel}' threw; the message took the normal path (the channel's buffer).")]
    public static partial void PubSubForwarderFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(EventId = 526, EventName = "RedisPubSubWaitingMessagesFailed", Level = LogLevel.Error,
        Message = "Delivering the {Count} message(s) of channel '{Channel}' that waited for room failed; they were dropped.")]
    public static partial void PubSubWaitingMessagesFailed(ILogger logger, Exception exception, int count, string channel);
}
