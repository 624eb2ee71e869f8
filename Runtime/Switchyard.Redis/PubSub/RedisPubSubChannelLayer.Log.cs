using Microsoft.Extensions.Logging;

namespace Switchyard.Redis;

/// <content>The layer's log events (EventIds 520–529).</content>
public sealed partial class RedisPubSubChannelLayer
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 520, EventName = "RedisPubSubMessagesDropped", Level = LogLevel.Warning,
            Message = "Dropped {Count} unread message(s) of channel '{Channel}': nobody in this process received on it for {Idle}, so its subscription ended.")]
        public static partial void MessagesDropped(ILogger logger, int count, string channel, TimeSpan idle);

        [LoggerMessage(EventId = 521, EventName = "RedisPubSubUnreadableMessage", Level = LogLevel.Error,
            Message = "Dropped a message published on '{Key}' that this layer cannot read.")]
        public static partial void UnreadableMessage(ILogger logger, Exception exception, string key);

        [LoggerMessage(EventId = 522, EventName = "RedisPubSubSubscriptionFailed", Level = LogLevel.Warning,
            Message = "{Command} '{Key}' failed on Redis at {Server}; the subscriptions are restored when the connection is back.")]
        public static partial void SubscriptionFailed(ILogger logger, Exception exception, string command, string key, string server);

        [LoggerMessage(EventId = 523, EventName = "RedisPubSubResubscribed", Level = LogLevel.Information,
            Message = "Subscribed again to {Count} channel(s) and group(s) on Redis at {Server} after a reconnect; what was published while the connection was down is lost.")]
        public static partial void Resubscribed(ILogger logger, int count, string server);

        [LoggerMessage(EventId = 524, EventName = "RedisPubSubIdleChannelDropped", Level = LogLevel.Debug,
            Message = "Ended the subscription of channel '{Channel}': nobody in this process received on it for {Idle}.")]
        public static partial void IdleChannelDropped(ILogger logger, string channel, TimeSpan idle);

        [LoggerMessage(EventId = 525, EventName = "RedisPubSubForwarderFailed", Level = LogLevel.Error,
            Message = "The forwarder attached to channel '{Channel}' threw; the message took the normal path (the channel's buffer).")]
        public static partial void ForwarderFailed(ILogger logger, Exception exception, string channel);

        [LoggerMessage(EventId = 526, EventName = "RedisPubSubWaitingMessagesFailed", Level = LogLevel.Error,
            Message = "Delivering the {Count} message(s) of channel '{Channel}' that waited for room failed; they were dropped.")]
        public static partial void WaitingMessagesFailed(ILogger logger, Exception exception, int count, string channel);
    }
}
