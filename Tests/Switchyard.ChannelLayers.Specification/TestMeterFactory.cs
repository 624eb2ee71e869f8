using System.Diagnostics.Metrics;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>
/// An <see cref="IMeterFactory"/> for one test: every meter it creates is scoped to it (so a
/// <see cref="MetricCollector"/> can listen to this test's instruments only) and disposed with it.
/// </summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly Lock _lock = new();
    private readonly List<Meter> _meters = [];
    private bool _disposed;

    /// <inheritdoc />
    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions(options.Name)
        {
            Version = options.Version,
            Tags = options.Tags,
            Scope = this,
        });
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _meters.Add(meter);
        }

        return meter;
    }

    /// <summary>Returns whether <paramref name="meter"/> was created by this factory.</summary>
    /// <param name="meter">A meter.</param>
    /// <returns><see langword="true"/> for this factory's meters.</returns>
    public bool Owns(Meter meter) => ReferenceEquals(meter?.Scope, this);

    /// <inheritdoc />
    public void Dispose()
    {
        List<Meter> meters;
        lock (_lock)
        {
            _disposed = true;
            meters = [.. _meters];
            _meters.Clear();
        }

        foreach (var meter in meters)
        {
            meter.Dispose();
        }
    }
}
