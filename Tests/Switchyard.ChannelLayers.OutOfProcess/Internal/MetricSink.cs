using System.Diagnostics.Metrics;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>
/// In the parent: records the measurements the layer host relays (<see cref="MetricRelay"/>) on instruments of the same
/// meter, name, unit and kind created from the parent's meter factory (a meter of its own without one), so a listener on that factory sees the host
/// layer's metrics as if the layer ran here. Called on the connection's reader thread only.
/// </summary>
internal sealed class MetricSink(IMeterFactory? factory)
{
    private readonly Dictionary<string, Meter> _meters = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Meter, string Name, InstrumentKind Kind, NumberKind Number), Instrument> _instruments = [];

    public void Record(FrameReader frame)
    {
        var meterName = frame.ReadString();
        var name = frame.ReadString();
        var unit = frame.ReadNullableString();
        var description = frame.ReadNullableString();
        var kind = (InstrumentKind)frame.ReadByte();
        var number = (NumberKind)frame.ReadByte();
        var integer = number == NumberKind.Double ? 0 : frame.ReadInt64();
        var real = number == NumberKind.Double ? frame.ReadDouble() : 0;
        var tags = new KeyValuePair<string, object?>[frame.ReadInt32()];
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = new(frame.ReadString(), MetricKinds.ReadTagValue(frame));
        }

        if (!_meters.TryGetValue(meterName, out var meter))
        {
            meter = factory?.Create(new MeterOptions(meterName)) ?? new Meter(meterName);
            _meters.Add(meterName, meter);
        }

        var key = (meterName, name, kind, number);
        if (!_instruments.TryGetValue(key, out var instrument))
        {
            instrument = Create(meter, kind, number, name, unit, description);
            _instruments.Add(key, instrument);
        }

        switch (instrument)
        {
            case Counter<long> counter: counter.Add(integer, tags); break;
            case Counter<int> counter: counter.Add((int)integer, tags); break;
            case Counter<double> counter: counter.Add(real, tags); break;
            case UpDownCounter<long> counter: counter.Add(integer, tags); break;
            case UpDownCounter<int> counter: counter.Add((int)integer, tags); break;
            case UpDownCounter<double> counter: counter.Add(real, tags); break;
            case Histogram<long> histogram: histogram.Record(integer, tags); break;
            case Histogram<int> histogram: histogram.Record((int)integer, tags); break;
            case Histogram<double> histogram: histogram.Record(real, tags); break;
            case Gauge<long> gauge: gauge.Record(integer, tags); break;
            case Gauge<int> gauge: gauge.Record((int)integer, tags); break;
            case Gauge<double> gauge: gauge.Record(real, tags); break;
            default: throw new InvalidDataException($"Cannot record a relayed {kind} of {number} named '{name}'.");
        }
    }

    private static Instrument Create(Meter meter, InstrumentKind kind, NumberKind number, string name, string? unit, string? description) => (kind, number) switch
    {
        (InstrumentKind.Counter, NumberKind.Int64) => meter.CreateCounter<long>(name, unit, description),
        (InstrumentKind.Counter, NumberKind.Int32) => meter.CreateCounter<int>(name, unit, description),
        (InstrumentKind.Counter, _) => meter.CreateCounter<double>(name, unit, description),
        (InstrumentKind.UpDownCounter, NumberKind.Int64) => meter.CreateUpDownCounter<long>(name, unit, description),
        (InstrumentKind.UpDownCounter, NumberKind.Int32) => meter.CreateUpDownCounter<int>(name, unit, description),
        (InstrumentKind.UpDownCounter, _) => meter.CreateUpDownCounter<double>(name, unit, description),
        (InstrumentKind.Histogram, NumberKind.Int64) => meter.CreateHistogram<long>(name, unit, description),
        (InstrumentKind.Histogram, NumberKind.Int32) => meter.CreateHistogram<int>(name, unit, description),
        (InstrumentKind.Histogram, _) => meter.CreateHistogram<double>(name, unit, description),
        (InstrumentKind.Gauge, NumberKind.Int64) => meter.CreateGauge<long>(name, unit, description),
        (InstrumentKind.Gauge, NumberKind.Int32) => meter.CreateGauge<int>(name, unit, description),
        _ => meter.CreateGauge<double>(name, unit, description),
    };
}
