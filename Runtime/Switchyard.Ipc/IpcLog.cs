using Microsoft.Extensions.Logging;

namespace Switchyard.Ipc;

/// <summary>The IPC layer's log events (600–609).</summary>
internal static partial class IpcLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Error, Message = "A message on channel {Channel} could not be read and was dropped.")]
    public static partial void UnreadableMessage(ILogger logger, Exception error, string channel);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "The process in slot {Slot} of IPC namespace {Namespace} is gone: its process-local channels and memberships were removed.")]
    public static partial void ProcessGone(ILogger logger, int slot, string @namespace);

    [LoggerMessage(EventId = 602, Level = LogLevel.Error, Message = "The sweep of IPC namespace {Namespace} failed; the next one tries again.")]
    public static partial void SweepFailed(ILogger logger, Exception error, string @namespace);
}
