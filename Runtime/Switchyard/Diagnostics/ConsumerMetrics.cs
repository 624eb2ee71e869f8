using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Switchyard;

/// <summary>
/// The instruments consumers report on the <see cref="SwitchyardDiagnostics.MeterName"/> meter:
/// <c>switchyard.consumer.active</c>, <c>switchyard.consumer.messages.handled</c>, <c>.unhandled</c>,
/// <c>.failed</c> and <c>.dropped</c> (tagged <c>reason</c>); and the histogram <c>messaging.process.duration</c>
/// (seconds) of each message a consumer handled.
/// </summary>
internal sealed class ConsumerMetrics
{
    /// <summary>
    /// The <c>reason</c> tag of a message the consumer did not handle because it was stopping: a posted message it
    /// refused, or one it had already taken off its channel when the stop came.
    /// </summary>
    public const string ReasonConsumerStopped = "consumer_stopped";

    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _handled;
    private readonly Counter<long> _unhandled;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _processDuration;

    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    /// <param name="meter">The meter.</param>
    public ConsumerMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _active = meter.CreateUpDownCounter<long>("switchyard.consumer.active", "{consumer}", "Consumers running.");
        _handled = meter.CreateCounter<long>("switchyard.consumer.messages.handled", "{message}", "Messages handled without error.");
        _unhandled = meter.CreateCounter<long>("switchyard.consumer.messages.unhandled", "{message}", "Messages no handler took.");
        _failed = meter.CreateCounter<long>("switchyard.consumer.messages.failed", "{message}", "Messages whose handler threw.");
        _dropped = meter.CreateCounter<long>("switchyard.consumer.messages.dropped", "{message}", "Messages a consumer did not handle because it was stopping, by reason.");
        _processDuration = MessagingConventions.CreateDurationHistogram(
            meter, MessagingConventions.ProcessDurationInstrument, "Duration of a consumer's handling of one message from its channel, or posted to it.");
    }

    /// <summary>Returns the timestamp to pass to <see cref="Processed"/> while someone listens to the histogram, or 0 (no clock read).</summary>
    internal long StartProcessing() => _processDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>
    /// Records how long a consumer handled a message (nothing when <paramref name="started"/> is 0), tagged with
    /// low-cardinality values only: the consumer's type, the message type, and a destination only when it is a named
    /// channel (never a connection's channel or a group, whose names are made per connection, room or user).
    /// </summary>
    /// <param name="started">What <see cref="StartProcessing"/> returned.</param>
    /// <param name="consumer">The consumer's type name.</param>
    /// <param name="messageType">The message's type.</param>
    /// <param name="namedChannel">The named channel the message came on, or <see langword="null"/>.</param>
    /// <param name="error">The handler's failure, or <see langword="null"/>.</param>
    internal void Processed(long started, string consumer, string messageType, string? namedChannel, Exception? error)
    {
        if (started == 0)
        {
            return;
        }

        var tags = new TagList
        {
            { MessagingConventions.SystemAttribute, MessagingConventions.System },
            { MessagingConventions.OperationNameAttribute, MessagingConventions.ProcessOperation },
            { MessagingConventions.ConsumerAttribute, consumer },
            { MessagingConventions.MessageTypeAttribute, messageType },
        };
        if (namedChannel is not null)
        {
            tags.Add(MessagingConventions.DestinationNameAttribute, namedChannel);
        }

        if (error is not null)
        {
            tags.Add(MessagingConventions.ErrorTypeAttribute, MessagingConventions.ErrorType(error));
        }

        _processDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    internal void Started() => _active.Add(1);

    internal void Stopped() => _active.Add(-1);

    internal void Handled() => _handled.Add(1);

    internal void Unhandled() => _unhandled.Add(1);

    internal void Failed() => _failed.Add(1);

    internal void Dropped(string reason, long count = 1) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));
}
