using Microsoft.Extensions.Logging;

namespace Switchyard.Internal;

/// <summary>Log events shared by every channel layer. EventIds are fixed; never renumber them.</summary>
internal static partial class ChannelLayerLog
{
    [LoggerMessage(EventId = 1, EventName = "ChannelFull", Level = LogLevel.Warning,
        Message = "Message '{MessageType}' to channel '{Channel}' was refused: the channel is full (capacity {Capacity}).")]
    public static partial void ChannelFull(ILogger logger, string messageType, string channel, int capacity);

    [LoggerMessage(EventId = 2, EventName = "GroupMembersSkippedFull", Level = LogLevel.Warning,
        Message = "Group '{Group}': {Skipped} delivery(ies) skipped over {Sends} group send(s) because members were full (last type '{MessageType}'); further skips of this group within {Interval} are summed into one line.")]
    public static partial void GroupMembersSkippedFull(ILogger logger, string group, int skipped, int sends, string messageType, TimeSpan interval);

    [LoggerMessage(EventId = 3, EventName = "MessagesExpired", Level = LogLevel.Information,
        Message = "{Count} unread message(s) expired on channel '{Channel}'; the channel stays in its groups until they expire or it is discarded.")]
    public static partial void MessagesExpired(ILogger logger, int count, string channel);

    [LoggerMessage(EventId = 4, EventName = "GroupMembershipsExpired", Level = LogLevel.Debug,
        Message = "{Count} group membership(s) of group '{Group}' expired.")]
    public static partial void GroupMembershipsExpired(ILogger logger, int count, string group);

    [LoggerMessage(EventId = 5, EventName = "LayerClosed", Level = LogLevel.Debug,
        Message = "The {Layer} channel layer closed; {Waiting} waiting receive(s) were failed.")]
    public static partial void LayerClosed(ILogger logger, string layer, int waiting);

    [LoggerMessage(EventId = 6, EventName = "LayerDisconnected", Level = LogLevel.Warning,
        Message = "The {Layer} channel layer lost its connection; consumers were told, and it reconnects by itself.")]
    public static partial void LayerDisconnected(ILogger logger, Exception? exception, string layer);

    [LoggerMessage(EventId = 7, EventName = "LayerReconnected", Level = LogLevel.Information,
        Message = "The {Layer} channel layer is connected again.")]
    public static partial void LayerReconnected(ILogger logger, string layer);

    [LoggerMessage(EventId = 8, EventName = "ConnectionHandlerFailed", Level = LogLevel.Error,
        Message = "A handler of the {Layer} channel layer's ConnectionChanged event failed.")]
    public static partial void ConnectionHandlerFailed(ILogger logger, Exception exception, string layer);

    [LoggerMessage(EventId = 9, EventName = "PresenceEventFailed", Level = LogLevel.Warning,
        Message = "A presence event for group {Group} could not be sent ({Joins} joins, {Leaves} leaves); its members learn of them with the next one, or from a listing.")]
    public static partial void PresenceEventFailed(ILogger logger, Exception exception, string group, int joins, int leaves);
}
