using Microsoft.Extensions.Logging;

namespace Switchyard.Internal;

/// <summary>Log events of WebSocket connections. EventIds are fixed (200–299); never renumber them.</summary>
internal static partial class WebSocketLog
{
    [LoggerMessage(EventId = 200, EventName = "WebSocketAccepted", Level = LogLevel.Debug,
        Message = "WebSocket {Path} accepted by {Consumer} on channel '{Channel}' (subprotocol '{Subprotocol}').")]
    public static partial void Accepted(ILogger logger, string path, string consumer, string channel, string? subprotocol);

    [LoggerMessage(EventId = 201, EventName = "WebSocketRejected", Level = LogLevel.Information,
        Message = "WebSocket {Path} refused with HTTP {StatusCode}: {Reason}.")]
    public static partial void Rejected(ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 202, EventName = "WebSocketClosed", Level = LogLevel.Debug,
        Message = "WebSocket {Path} on channel '{Channel}' closed with {CloseCode} by the {Initiator}.")]
    public static partial void Closed(ILogger logger, string path, string channel, int closeCode, string initiator);

    [LoggerMessage(EventId = 203, EventName = "WebSocketBadInput", Level = LogLevel.Warning,
        Message = "WebSocket {Path} on channel '{Channel}' is closed with {CloseCode}: {Reason}.")]
    public static partial void BadInput(ILogger logger, Exception? exception, string path, string channel, int closeCode, string reason);

    [LoggerMessage(EventId = 204, EventName = "WebSocketSlowClient", Level = LogLevel.Warning,
        Message = "WebSocket {Path} on channel '{Channel}' reads too slowly: its send queue of {Capacity} is full; {Action}.")]
    public static partial void SlowClient(ILogger logger, string path, string channel, int capacity, string action);

    [LoggerMessage(EventId = 205, EventName = "WebSocketPingTimeout", Level = LogLevel.Information,
        Message = "WebSocket {Path} on channel '{Channel}' did not answer a ping within {Timeout}; the connection is dropped.")]
    public static partial void PingTimeout(ILogger logger, string path, string channel, TimeSpan timeout);

    [LoggerMessage(EventId = 206, EventName = "WebSocketCloseTimeout", Level = LogLevel.Information,
        Message = "WebSocket {Path} on channel '{Channel}' did not answer the close frame within {Timeout}; the connection is dropped.")]
    public static partial void CloseTimeout(ILogger logger, string path, string channel, TimeSpan timeout);

    [LoggerMessage(EventId = 207, EventName = "WebSocketSendFailed", Level = LogLevel.Debug,
        Message = "WebSocket {Path} on channel '{Channel}' could not be written to; {Dropped} queued messages were dropped.")]
    public static partial void SendFailed(ILogger logger, Exception? exception, string path, string channel, int dropped);

    [LoggerMessage(EventId = 208, EventName = "WebSocketDroppedAfterClose", Level = LogLevel.Debug,
        Message = "WebSocket {Path} on channel '{Channel}' is closing; a message sent to it was dropped.")]
    public static partial void DroppedAfterClose(ILogger logger, string path, string channel);

    [LoggerMessage(EventId = 209, EventName = "WebSocketSendTimeout", Level = LogLevel.Warning,
        Message = "WebSocket {Path} on channel '{Channel}' has not taken a message for {Timeout}: it does not read; {Action}.")]
    public static partial void SendTimeout(ILogger logger, string path, string channel, TimeSpan timeout, string action);
}
