using Microsoft.Extensions.Logging;

namespace Switchyard.AspNetCore;

/// <summary>
/// Log events of the interface server. EventIds are fixed (300–399); never renumber them. Paths, methods and reasons
/// carry what a client sent (a refusal's reason may quote its Origin or Host): each event passes them through
/// <see cref="LogSanitizer"/>, and only when the event is enabled.
/// </summary>
internal static partial class ServerLog
{
    public static void WebSocketRefused(ILogger logger, string path, int statusCode, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            WebSocketRefusedCore(logger, LogSanitizer.Sanitize(path), statusCode, LogSanitizer.Sanitize(reason, 400));
        }
    }

    public static void OffloadTimedOut(ILogger logger, string channel, TimeSpan timeout, string method, string path)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            OffloadTimedOutCore(logger, channel, timeout, LogSanitizer.Sanitize(method, 20), LogSanitizer.Sanitize(path));
        }
    }

    public static void OffloadRefused(ILogger logger, Exception? exception, string channel, string method, string path, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            OffloadRefusedCore(logger, exception, channel, LogSanitizer.Sanitize(method, 20), LogSanitizer.Sanitize(path), reason);
        }
    }

    public static void HttpConsumerRefused(ILogger logger, string method, string path, int statusCode, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            HttpConsumerRefusedCore(logger, LogSanitizer.Sanitize(method, 20), LogSanitizer.Sanitize(path), statusCode, LogSanitizer.Sanitize(reason, 400));
        }
    }

    public static void WebSocketOpened(ILogger logger, string path, string channel, string handshake, string protocol)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            WebSocketOpenedCore(logger, LogSanitizer.Sanitize(path), channel, handshake, LogSanitizer.Sanitize(protocol, 20));
        }
    }

    [LoggerMessage(EventId = 300, EventName = "WebSocketRefused", Level = LogLevel.Information,
        Message = "WebSocket request to {Path} refused with HTTP {StatusCode}: {Reason}.")]
    private static partial void WebSocketRefusedCore(ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 301, EventName = "RoutesMapped", Level = LogLevel.Debug,
        Message = "Switchyard mapped {WebSocketRoutes} WebSocket and {HttpRoutes} HTTP routes.")]
    public static partial void RoutesMapped(ILogger logger, int webSocketRoutes, int httpRoutes);

    [LoggerMessage(EventId = 302, EventName = "OffloadTimedOut", Level = LogLevel.Warning,
        Message = "No reply from channel '{Channel}' within {Timeout} for {Method} {Path}; answered 504.")]
    private static partial void OffloadTimedOutCore(ILogger logger, string channel, TimeSpan timeout, string method, string path);

    [LoggerMessage(EventId = 303, EventName = "OffloadRefused", Level = LogLevel.Warning,
        Message = "Channel '{Channel}' did not take {Method} {Path}: {Reason}; answered 503.")]
    private static partial void OffloadRefusedCore(ILogger logger, Exception? exception, string channel, string method, string path, string reason);

    [LoggerMessage(EventId = 304, EventName = "HttpConsumerRefused", Level = LogLevel.Information,
        Message = "HTTP consumer request {Method} {Path} refused with HTTP {StatusCode}: {Reason}.")]
    private static partial void HttpConsumerRefusedCore(ILogger logger, string method, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 305, EventName = "WebSocketOpened", Level = LogLevel.Debug,
        Message = "WebSocket {Path} ({Channel}) opened over {Protocol} ({Handshake}).")]
    private static partial void WebSocketOpenedCore(ILogger logger, string path, string channel, string handshake, string protocol);
}
