using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Switchyard;

/// <summary>
/// The counters a channel layer reports, on the <see cref="SwitchyardDiagnostics.MeterName"/> meter, each tagged
/// with <c>switchyard.layer</c> (the backend's name).
/// </summary>
/// <remarks>
/// Instruments: <c>switchyard.layer.messages.sent</c>, <c>.received</c>, <c>.expired</c>, <c>.dropped</c>
/// (tagged <c>reason</c>: <c>channel_full</c>), <c>.unreadable</c> (tagged <c>switchyard.channel</c>),
/// <c>switchyard.layer.group.sends</c> and <c>switchyard.layer.group.members_reached</c>; and the histogram
/// <c>messaging.client.operation.duration</c> (seconds) of sends and group sends, tagged <c>messaging.system</c>,
/// <c>messaging.operation.name</c> (<c>send</c>, <c>group_send</c>), <c>messaging.operation.type</c> (<c>send</c>) and
/// <c>error.type</c> when the operation failed. Recording allocates nothing, and a duration takes no timestamp while
/// nothing listens to the histogram.
/// </remarks>
public sealed class ChannelLayerMetrics
{
    /// <summary>The value of the <c>reason</c> tag for messages dropped because their channel was full.</summary>
    public const string ReasonChannelFull = "channel_full";

    private readonly KeyValuePair<string, object?> _layer;
    private readonly KeyValuePair<string, object?> _full;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _received;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _groupSends;
    private readonly Counter<long> _membersReached;
    private readonly Counter<long> _unreadable;
    private readonly Histogram<double> _operationDuration;

    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    /// <param name="meter">The meter; normally from <see cref="IMeterFactory"/> with <see cref="SwitchyardDiagnostics.MeterName"/>.</param>
    /// <param name="layerName">The backend's name, recorded as the <c>switchyard.layer</c> tag.</param>
    public ChannelLayerMetrics(Meter meter, string layerName)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _layer = new(MessagingConventions.LayerAttribute, layerName);
        _full = new("reason", ReasonChannelFull);
        _sent = meter.CreateCounter<long>("switchyard.layer.messages.sent", "{message}", "Messages accepted by a channel.");
        _received = meter.CreateCounter<long>("switchyard.layer.messages.received", "{message}", "Messages handed to a receiver.");
        _expired = meter.CreateCounter<long>("switchyard.layer.messages.expired", "{message}", "Messages dropped unread after their expiry.");
        _dropped = meter.CreateCounter<long>("switchyard.layer.messages.dropped", "{message}", "Messages not delivered to a channel, by reason.");
        _groupSends = meter.CreateCounter<long>("switchyard.layer.group.sends", "{send}", "Group sends.");
        _membersReached = meter.CreateCounter<long>("switchyard.layer.group.members_reached", "{channel}", "Member channels that received a group message.");
        _unreadable = meter.CreateCounter<long>(
            "switchyard.layer.messages.unreadable",
            "{message}",
            "Messages taken off a channel and dropped because this layer cannot read them (sealed with a key none of its encryption keys opens, or not a Switchyard message).");
        _operationDuration = MessagingConventions.CreateDurationHistogram(
            meter, MessagingConventions.OperationDurationInstrument, "Duration of channel-layer operations: sends to a channel and to a group.");
    }

    /// <summary>
    /// Returns the timestamp to pass to <see cref="OperationDone"/> when the operation's duration is recorded now
    /// (someone listens), or 0, so that an operation nobody measures reads no clock.
    /// </summary>
    internal long StartOperation() => _operationDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records the duration of an operation begun at <paramref name="started"/> (nothing when it is 0).</summary>
    /// <param name="operation">The operation's name: <c>send</c> or <c>group_send</c>.</param>
    /// <param name="started">What <see cref="StartOperation"/> returned.</param>
    /// <param name="error">The operation's failure, or <see langword="null"/>.</param>
    internal void OperationDone(string operation, long started, Exception? error = null)
    {
        if (started == 0)
        {
            return;
        }

        var tags = new TagList
        {
            { MessagingConventions.SystemAttribute, MessagingConventions.System },
            { MessagingConventions.OperationNameAttribute, operation },
            { MessagingConventions.OperationTypeAttribute, MessagingConventions.SendType },
            _layer,
        };
        if (error is not null)
        {
            tags.Add(MessagingConventions.ErrorTypeAttribute, MessagingConventions.ErrorType(error));
        }

        _operationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>
    /// Records a message taken off <paramref name="channel"/> and dropped because it could not be read (no configured
    /// encryption key opens it, or it is not a Switchyard message), tagged <c>switchyard.channel</c>.
    /// </summary>
    /// <param name="channel">The channel (a backend may give a process-local channel's non-local part, to bound the tag's values).</param>
    public void Unreadable(string channel) => _unreadable.Add(1, _layer, new KeyValuePair<string, object?>("switchyard.channel", channel));

    /// <summary>Records messages accepted by a channel.</summary>
    /// <param name="count">How many.</param>
    public void Sent(long count = 1) => _sent.Add(count, _layer);

    /// <summary>Records messages handed to receivers.</summary>
    /// <param name="count">How many.</param>
    public void Received(long count = 1) => _received.Add(count, _layer);

    /// <summary>Records messages dropped unread because they expired.</summary>
    /// <param name="count">How many.</param>
    public void Expired(long count) => _expired.Add(count, _layer);

    /// <summary>Records messages not delivered because their channel was full.</summary>
    /// <param name="count">How many.</param>
    public void DroppedFull(long count = 1) => _dropped.Add(count, _layer, _full);

    /// <summary>Records one group send and its outcome.</summary>
    /// <param name="result">What the send did.</param>
    public void GroupSent(GroupSendResult result)
    {
        _groupSends.Add(1, _layer);
        if (result.Delivered > 0)
        {
            _membersReached.Add(result.Delivered, _layer);
            _sent.Add(result.Delivered, _layer);
        }

        if (result.SkippedFull > 0)
        {
            _dropped.Add(result.SkippedFull, _layer, _full);
        }
    }
}
