using Microsoft.Extensions.Logging;

namespace Switchyard.Client.Internal;

/// <summary>Log events of the .NET client. EventIds are fixed (1000–1099); what the server sent is sanitised.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(1000, LogLevel.Information, "Connected to {Endpoint}.")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(1001, LogLevel.Information, "Connection to {Endpoint} ended ({Code}, {Kind}); reconnecting in {DelayMs} ms (attempt {Attempt}).")]
    public static partial void Reconnecting(ILogger logger, string endpoint, int code, SwitchyardCloseKind kind, long delayMs, int attempt);

    [LoggerMessage(1002, LogLevel.Warning, "Connection to {Endpoint} closed for good ({Code}, {Kind}): {Reason}")]
    public static partial void ClosedCore(ILogger logger, string endpoint, int code, SwitchyardCloseKind kind, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "Dropped a frame from the server: {Problem}")]
    public static partial void BadFrameCore(ILogger logger, string problem);

    [LoggerMessage(1004, LogLevel.Debug, "Dropped a message at {Position}: at or before the last position kept, {Last}.")]
    public static partial void Duplicate(ILogger logger, string position, string last);

    [LoggerMessage(1005, LogLevel.Debug, "No handler for '{Type}'; message dropped.")]
    public static partial void UnhandledCore(ILogger logger, string type);

    [LoggerMessage(1006, LogLevel.Debug, "Dropped an answer to {Re}: no request of this client waits for it.")]
    public static partial void UnexpectedAnswer(ILogger logger, long re);

    [LoggerMessage(1007, LogLevel.Error, "The handler of '{Type}' failed.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string type);

    [LoggerMessage(1008, LogLevel.Error, "A StateChanged handler failed.")]
    public static partial void StateHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(1009, LogLevel.Warning, "Dropped a binary frame from the server: a Switchyard server sends JSON text.")]
    public static partial void BinaryFrame(ILogger logger);

    public static void Closed(ILogger logger, string endpoint, SwitchyardClosedException error)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            ClosedCore(logger, endpoint, error.Code, error.Kind, LogSanitizer.Sanitize(error.Message));
        }
    }

    public static void BadFrame(ILogger logger, string problem)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            BadFrameCore(logger, LogSanitizer.Sanitize(problem));
        }
    }

    public static void Unhandled(ILogger logger, ReadOnlySpan<char> type)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            UnhandledCore(logger, LogSanitizer.Sanitize(type.ToString()));
        }
    }
}
