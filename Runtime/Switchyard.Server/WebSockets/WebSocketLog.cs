using Microsoft.Extensions.Logging;

namespace Switchyard.Server;

/// <summary>
/// Log events of WebSocket connections. EventIds are fixed (200–299); never renumber them. The path, the subprotocol
/// and the reasons may carry what a client sent: each event passes them through <see cref="LogSanitizer"/>, and only
/// when the event is enabled.
/// </summary>
internal static partial class WebSocketLog
{
    public static void Accepted(ILogger logger, string path, string consumer, string channel, string? subprotocol)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            AcceptedCore(logger, LogSanitizer.Sanitize(path), consumer, channel, LogSanitizer.Sanitize(subprotocol));
        }
    }

    public static void Rejected(ILogger logger, string path, int statusCode, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            RejectedCore(logger, LogSanitizer.Sanitize(path), statusCode, LogSanitizer.Sanitize(reason, 400));
        }
    }

    public static void Closed(ILogger logger, string path, string channel, int closeCode, string initiator)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            ClosedCore(logger, LogSanitizer.Sanitize(path), channel, closeCode, initiator);
        }
    }

    /// <summary>Bad input from the client: one line, without a stack trace (what the client sent is not a server fault).</summary>
    public static void BadInput(ILogger logger, string path, string channel, int closeCode, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            BadInputCore(logger, LogSanitizer.Sanitize(path), channel, closeCode, LogSanitizer.Sanitize(reason, 400));
        }
    }

    public static void SlowClient(ILogger logger, string path, string channel, int capacity, string action)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            SlowClientCore(logger, LogSanitizer.Sanitize(path), channel, capacity, action);
        }
    }

    public static void PingTimeout(ILogger logger, string path, string channel, TimeSpan timeout)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            PingTimeoutCore(logger, LogSanitizer.Sanitize(path), channel, timeout);
        }
    }

    public static void CloseTimeout(ILogger logger, string path, string channel, TimeSpan timeout)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            CloseTimeoutCore(logger, LogSanitizer.Sanitize(path), channel, timeout);
        }
    }

    public static void SendFailed(ILogger logger, Exception? exception, string path, string channel, int dropped)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            SendFailedCore(logger, exception, LogSanitizer.Sanitize(path), channel, dropped);
        }
    }

    public static void DroppedAfterClose(ILogger logger, string path, string channel)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            DroppedAfterCloseCore(logger, LogSanitizer.Sanitize(path), channel);
        }
    }

    public static void SendTimeout(ILogger logger, string path, string channel, TimeSpan timeout, string action)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            SendTimeoutCore(logger, LogSanitizer.Sanitize(path), channel, timeout, action);
        }
    }

    public static void ClientMessageRefused(ILogger logger, string path, string channel, string fullChannel)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            ClientMessageRefusedCore(logger, LogSanitizer.Sanitize(path), channel, fullChannel);
        }
    }

    public static void AnswerDropped(ILogger logger, string path, string channel, long id)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            AnswerDroppedCore(logger, LogSanitizer.Sanitize(path), channel, id);
        }
    }

    [LoggerMessage(EventId = 200, EventName = "WebSocketAccepted", Level = LogLevel.Debug,
        Message = "WebSocket {Path} accepted by {Consumer} on channel '{Channel}' (subprotocol '{Subprotocol}').")]
    private static partial void AcceptedCore(ILogger logger, string path, string consumer, string channel, string? subprotocol);

    [LoggerMessage(EventId = 201, EventName = "WebSocketRejected", Level = LogLevel.Information,
        Message = "WebSocket {Path} refused with HTTP {StatusCode}: {Reason}.")]
    private static partial void RejectedCore(ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 202, EventName = "WebSocketClosed", Level = LogLevel.Debug,
        Message = "WebSocket {Path} on channel '{Channel}' closed with {CloseCode} by the {Initiator}.")]
    private static partial void ClosedCore(ILogger logger, string path, string channel, int closeCode, string initiator);

    [LoggerMessage(EventId = 203, EventName = "WebSocketBadInput", Level = LogLevel.Warning,
        Message = "WebSocket {Path} on channel '{Channel}' is closed with {CloseCode}: {Reason}.")]
    private static partial void BadInputCore(ILogger logger, string path, string channel, int closeCode, string reason);

    [LoggerMessage(EventId = 204, EventName = "WebSocketSlowClient", Level = LogLevel.Warning,
        Message = "WebSocket {Path} on channel '{Channel}' reads too slowly: its send queue of {Capacity} is full; {Action}.")]
    private static partial void SlowClientCore(ILogger logger, string path, string channel, int capacity, string action);

    [LoggerMessage(EventId = 205, EventName = "WebSocketPingTimeout", Level = LogLevel.Information,
        Message = "WebSocket {Path} on channel '{Channel}' did not answer a ping within {Timeout}; the connection is dropped.")]
    private static partial void PingTimeoutCore(ILogger logger, string path, string channel, TimeSpan timeout);

    [LoggerMessage(EventId = 206, EventName = "WebSocketCloseTimeout", Level = LogLevel.Information,
        Message = "WebSocket {Path} on channel '{Channel}' did not answer the close frame within {Timeout}; the connection is dropped.")]
    private static partial void CloseTimeoutCore(ILogger logger, string path, string channel, TimeSpan timeout);

    [LoggerMessage(EventId = 207, EventName = "WebSocketSendFailed", Level = LogLevel.Debug,
        Message = "WebSocket {Path} on channel '{Channel}' could not be written to; {Dropped} queued messages were dropped.")]
    private static partial void SendFailedCore(ILogger logger, Exception? exception, string path, string channel, int dropped);

    [LoggerMessage(EventId = 208, EventName = "WebSocketDroppedAfterClose", Level = LogLevel.Debug,
        Message = "WebSocket {Path} on channel '{Channel}' is closing; a message sent to it was dropped.")]
    private static partial void DroppedAfterCloseCore(ILogger logger, string path, string channel);

    [LoggerMessage(EventId = 209, EventName = "WebSocketSendTimeout", Level = LogLevel.Warning,
        Message = "WebSocket {Path} on channel '{Channel}' has not taken a message for {Timeout}: it does not read; {Action}.")]
    private static partial void SendTimeoutCore(ILogger logger, string path, string channel, TimeSpan timeout, string action);

    [LoggerMessage(EventId = 210, EventName = "WebSocketClientMessageRefused", Level = LogLevel.Debug,
        Message = "WebSocket {Path} on channel '{Channel}': a client message was refused because channel '{FullChannel}' is full; the connection stays open.")]
    private static partial void ClientMessageRefusedCore(ILogger logger, string path, string channel, string fullChannel);

    [LoggerMessage(EventId = 211, EventName = "WebSocketAnswerDropped", Level = LogLevel.Debug,
        Message = "WebSocket {Path} on channel '{Channel}': the client answered call {Id}, which no call waits for (it timed out, or was never made); dropped.")]
    private static partial void AnswerDroppedCore(ILogger logger, string path, string channel, long id);
}
