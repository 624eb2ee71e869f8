using Microsoft.Extensions.Logging;

namespace Switchyard.AspNetCore;

/// <summary>Log events of the interface server. EventIds are fixed (300–399); never renumber them.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 300, EventName = "WebSocketRefused", Level = LogLevel.Information,
        Message = "WebSocket request to {Path} refused with HTTP {StatusCode}: {Reason}.")]
    public static partial void WebSocketRefused(ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 301, EventName = "RoutesMapped", Level = LogLevel.Debug,
        Message = "Switchyard mapped {WebSocketRoutes} WebSocket and {HttpRoutes} HTTP routes.")]
    public static partial void RoutesMapped(ILogger logger, int webSocketRoutes, int httpRoutes);

    [LoggerMessage(EventId = 302, EventName = "OffloadTimedOut", Level = LogLevel.Warning,
        Message = "No reply from channel '{Channel}' within {Timeout} for {Method} {Path}; answered 504.")]
    public static partial void OffloadTimedOut(ILogger logger, string channel, TimeSpan timeout, string method, string path);

    [LoggerMessage(EventId = 303, EventName = "OffloadRefused", Level = LogLevel.Warning,
        Message = "Channel '{Channel}' did not take {Method} {Path}: {Reason}; answered 503.")]
    public static partial void OffloadRefused(ILogger logger, Exception? exception, string channel, string method, string path, string reason);

    [LoggerMessage(EventId = 304, EventName = "HttpConsumerRefused", Level = LogLevel.Information,
        Message = "HTTP consumer request {Method} {Path} refused with HTTP {StatusCode}: {Reason}.")]
    public static partial void HttpConsumerRefused(ILogger logger, string method, string path, int statusCode, string reason);
}
