using System.Diagnostics.Metrics;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>
/// Records the <see cref="long"/> measurements of the instruments on one <see cref="TestMeterFactory"/>'s meters,
/// so tests running in parallel never see each other's metrics.
/// </summary>
public sealed class MetricCollector : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Measurement> _measurements = [];
    private readonly MeterListener _listener;

    /// <summary>Starts listening to the instruments of <paramref name="factory"/>'s meters.</summary>
    /// <param name="factory">The test's meter factory.</param>
    public MetricCollector(TestMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (factory.Owns(instrument.Meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = tags.ToArray();
            lock (_lock)
            {
                _measurements.Add(new Measurement(instrument.Name, value, copy));
            }
        });
        _listener.Start();
    }

    /// <summary>Returns the sum of every measurement of <paramref name="instrument"/>.</summary>
    /// <param name="instrument">The instrument name, such as <c>switchyard.layer.messages.sent</c>.</param>
    /// <returns>The total.</returns>
    public long Total(string instrument) => Total(instrument, static _ => true);

    /// <summary>Returns the sum of the measurements of <paramref name="instrument"/> carrying a tag.</summary>
    /// <param name="instrument">The instrument name.</param>
    /// <param name="tagKey">The tag's key.</param>
    /// <param name="tagValue">The tag's value.</param>
    /// <returns>The total.</returns>
    public long Total(string instrument, string tagKey, object tagValue) =>
        Total(instrument, tags => tags.Any(t => t.Key == tagKey && Equals(t.Value, tagValue)));

    /// <summary>Returns every recorded measurement of <paramref name="instrument"/>.</summary>
    /// <param name="instrument">The instrument name.</param>
    /// <returns>The measurements, in recording order.</returns>
    public IReadOnlyList<Measurement> Measurements(string instrument)
    {
        lock (_lock)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument)];
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private long Total(string instrument, Func<KeyValuePair<string, object?>[], bool> filter)
    {
        lock (_lock)
        {
            return _measurements.Where(m => m.Instrument == instrument && filter(m.Tags)).Sum(m => m.Value);
        }
    }

    /// <summary>One recorded measurement.</summary>
    /// <param name="Instrument">The instrument's name.</param>
    /// <param name="Value">The value.</param>
    /// <param name="Tags">The tags.</param>
    public sealed record Measurement(string Instrument, long Value, KeyValuePair<string, object?>[] Tags);
}
