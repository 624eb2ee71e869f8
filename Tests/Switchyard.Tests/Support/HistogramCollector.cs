using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;

namespace Switchyard.Tests.Support;

/// <summary>
/// Records the measurements of the <see cref="double"/> histograms on one <see cref="TestMeterFactory"/>'s meters, and
/// the instruments themselves (for their unit and advice).
/// </summary>
public sealed class HistogramCollector : IDisposable
{
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentDictionary<string, Histogram<double>> _instruments = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private readonly MeterListener _listener;

    /// <summary>Starts listening to the histograms of <paramref name="factory"/>'s meters.</summary>
    public HistogramCollector(TestMeterFactory factory)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (factory.Owns(instrument.Meter) && instrument is Histogram<double> histogram)
                {
                    _instruments[instrument.Name] = histogram;
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            _measurements.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal)));
            _signal.Release();
        });
        _listener.Start();
    }

    /// <summary>Returns the histogram named <paramref name="name"/> once it was created on the factory's meters.</summary>
    public Histogram<double> Instrument(string name) =>
        _instruments.TryGetValue(name, out var instrument) ? instrument : throw new InvalidOperationException($"No histogram '{name}' was created.");

    /// <summary>Returns the measurements of <paramref name="instrument"/> recorded so far.</summary>
    public IReadOnlyList<Measurement> Of(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    /// <summary>Waits, with a timeout, until <paramref name="instrument"/> has <paramref name="count"/> measurements, and returns them.</summary>
    public async Task<IReadOnlyList<Measurement>> WaitForAsync(string instrument, int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (Of(instrument) is var found && found.Count < count)
        {
            try
            {
                await _signal.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{instrument} has {found.Count} of {count} measurement(s) after {timeout}.");
            }
        }

        return Of(instrument);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _listener.Dispose();
        _signal.Dispose();
    }

    /// <summary>One measurement.</summary>
    /// <param name="Instrument">The instrument's name.</param>
    /// <param name="Value">The value.</param>
    /// <param name="Tags">The tags by key.</param>
    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
