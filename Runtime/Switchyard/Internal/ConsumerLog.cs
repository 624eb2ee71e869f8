using Microsoft.Extensions.Logging;

namespace Switchyard.Internal;

/// <summary>Log events of consumers and their runner. EventIds are fixed (100–199); never renumber them.</summary>
internal static partial class ConsumerLog
{
    [LoggerMessage(EventId = 100, EventName = "ConsumerStarted", Level = LogLevel.Debug,
        Message = "Consumer {Consumer} started on channel '{Channel}'.")]
    public static partial void Started(ILogger logger, string consumer, string channel);

    [LoggerMessage(EventId = 101, EventName = "ConsumerStopped", Level = LogLevel.Debug,
        Message = "Consumer {Consumer} on channel '{Channel}' stopped: {Reason}.")]
    public static partial void Stopped(ILogger logger, string consumer, string channel, ConsumerStopReason reason);

    [LoggerMessage(EventId = 102, EventName = "HandlerFailed", Level = LogLevel.Error,
        Message = "Consumer {Consumer} on channel '{Channel}' failed while handling '{MessageType}'; the consumer is stopped, the process keeps running.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string consumer, string channel, string messageType);

    [LoggerMessage(EventId = 103, EventName = "LifecycleHookFailed", Level = LogLevel.Error,
        Message = "Consumer {Consumer} on channel '{Channel}' failed in {Hook}.")]
    public static partial void LifecycleHookFailed(ILogger logger, Exception exception, string consumer, string channel, string hook);

    [LoggerMessage(EventId = 104, EventName = "UnhandledMessage", Level = LogLevel.Warning,
        Message = "Consumer {Consumer} on channel '{Channel}' has no handler for message type '{MessageType}'; the message was dropped.")]
    public static partial void UnhandledMessage(ILogger logger, string consumer, string channel, string messageType);

    [LoggerMessage(EventId = 105, EventName = "MessageDropped", Level = LogLevel.Warning,
        Message = "Consumer {Consumer} on channel '{Channel}' dropped '{MessageType}' unhandled: it is stopping ({Reason}).")]
    public static partial void MessageDropped(ILogger logger, string consumer, string channel, string messageType, ConsumerStopReason reason);

    [LoggerMessage(EventId = 106, EventName = "GroupDiscardFailed", Level = LogLevel.Warning,
        Message = "Consumer {Consumer} could not leave group '{Group}' while stopping; the membership will expire.")]
    public static partial void GroupDiscardFailed(ILogger logger, Exception exception, string consumer, string group);

    [LoggerMessage(EventId = 107, EventName = "ReceiveFailed", Level = LogLevel.Error,
        Message = "Consumer {Consumer} could not receive from channel '{Channel}'; the consumer is stopped.")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string consumer, string channel);

    /// <summary>The refused group may be made of a client's route values: it is sanitised.</summary>
    public static void GroupJoinRefused(ILogger logger, string consumer, string channel, string group)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            GroupJoinRefusedCore(logger, consumer, channel, LogSanitizer.Sanitize(group));
        }
    }

    [LoggerMessage(EventId = 108, EventName = "GroupJoinRefused", Level = LogLevel.Information,
        Message = "Consumer {Consumer} on channel '{Channel}' was refused group '{Group}' by the group join filter; it stops.")]
    private static partial void GroupJoinRefusedCore(ILogger logger, string consumer, string channel, string group);

    [LoggerMessage(EventId = 109, EventName = "GroupRejoinFailed", Level = LogLevel.Warning,
        Message = "Consumer {Consumer} on channel '{Channel}' could not join group '{Group}' again after the layer reconnected; it tries again in {RetrySeconds} s (and at the next reconnect).")]
    public static partial void GroupRejoinFailed(ILogger logger, Exception exception, string consumer, string channel, string group, double retrySeconds);

    [LoggerMessage(EventId = 110, EventName = "UserDisconnected", Level = LogLevel.Information,
        Message = "Consumer {Consumer} on channel {Channel} is stopping: its user was disconnected everywhere.")]
    public static partial void UserDisconnected(ILogger logger, string consumer, string channel);
}
