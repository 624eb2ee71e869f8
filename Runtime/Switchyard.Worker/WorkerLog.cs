using Microsoft.Extensions.Logging;

namespace Switchyard.Worker;

/// <summary>Log events of the worker host. EventIds are fixed (400–499); never renumber them.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(EventId = 400, EventName = "WorkerStarted", Level = LogLevel.Information,
        Message = "Switchyard worker serving {Channels} with {Concurrency} consumer(s) each.")]
    public static partial void Started(ILogger logger, string channels, int concurrency);

    [LoggerMessage(EventId = 401, EventName = "WorkerConsumerRestarted", Level = LogLevel.Warning,
        Message = "{Consumer} on channel '{Channel}' stopped ({Reason}); a new instance takes its place.")]
    public static partial void ConsumerRestarted(ILogger logger, string consumer, string channel, ConsumerStopReason reason);

    [LoggerMessage(EventId = 402, EventName = "WorkerStopped", Level = LogLevel.Information,
        Message = "Switchyard worker stopped.")]
    public static partial void Stopped(ILogger logger);
}
