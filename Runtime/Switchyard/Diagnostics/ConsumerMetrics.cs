using System.Diagnostics.Metrics;

namespace Switchyard;

/// <summary>
/// The instruments consumers report on the <see cref="SwitchyardDiagnostics.MeterName"/> meter:
/// <c>switchyard.consumer.active</c>, <c>switchyard.consumer.messages.handled</c>, <c>.unhandled</c>,
/// <c>.failed</c> and <c>.dropped</c> (tagged <c>reason</c>).
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
    }

    internal void Started() => _active.Add(1);

    internal void Stopped() => _active.Add(-1);

    internal void Handled() => _handled.Add(1);

    internal void Unhandled() => _unhandled.Add(1);

    internal void Failed() => _failed.Add(1);

    internal void Dropped(string reason, long count = 1) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));
}
