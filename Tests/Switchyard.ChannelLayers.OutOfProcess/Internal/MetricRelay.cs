using System.Diagnostics.Metrics;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>
/// In the layer host: posts every measurement of the instruments on the host's meter factory to the parent, which records
/// it on its own meter factory (<see cref="MetricSink"/>). The post is queued on the recording thread, before whatever
/// the layer does next, so a call's answer never overtakes a measurement made while serving it.
/// </summary>
internal sealed class MetricRelay : IDisposable
{
    private readonly MeterListener _listener;
    private readonly FrameConnection _connection;

    public MetricRelay(Specification.TestMeterFactory meters, FrameConnection connection)
    {
        _connection = connection;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (meters.Owns(instrument.Meter) && MetricKinds.Of(instrument) is not null)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Relay(instrument, NumberKind.Int64, value, 0, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Relay(instrument, NumberKind.Int32, value, 0, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Relay(instrument, NumberKind.Double, 0, value, tags));
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    private void Relay(Instrument instrument, NumberKind number, long integer, double real, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = tags.ToArray();
        _connection.Post(Operation.Measurement, frame =>
        {
            frame.WriteString(instrument.Meter.Name);
            frame.WriteString(instrument.Name);
            frame.WriteString(instrument.Unit);
            frame.WriteString(instrument.Description);
            frame.WriteByte((byte)MetricKinds.Of(instrument)!.Value);
            frame.WriteByte((byte)number);
            if (number == NumberKind.Double)
            {
                frame.WriteDouble(real);
            }
            else
            {
                frame.WriteInt64(integer);
            }

            frame.WriteInt32(copy.Length);
            foreach (var (key, value) in copy)
            {
                frame.WriteString(key);
                MetricKinds.WriteTagValue(frame, value);
            }
        });
    }
}
