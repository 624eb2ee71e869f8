using System.Diagnostics.Metrics;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>The instrument kinds the relay carries (synchronous ones; observable instruments are not relayed).</summary>
internal enum InstrumentKind : byte
{
    Counter = 1,
    UpDownCounter = 2,
    Histogram = 3,
    Gauge = 4,
}

/// <summary>The number types the relay carries.</summary>
internal enum NumberKind : byte
{
    Int32 = 1,
    Int64 = 2,
    Double = 3,
}

/// <summary>Helpers shared by <see cref="MetricRelay"/> and <see cref="MetricSink"/>.</summary>
internal static class MetricKinds
{
    private enum TagType : byte
    {
        Null = 0,
        String = 1,
        Int64 = 2,
        Double = 3,
        Boolean = 4,
    }

    public static InstrumentKind? Of(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(Counter<>) ? InstrumentKind.Counter
            : definition == typeof(UpDownCounter<>) ? InstrumentKind.UpDownCounter
            : definition == typeof(Histogram<>) ? InstrumentKind.Histogram
            : definition == typeof(Gauge<>) ? InstrumentKind.Gauge
            : null;
    }

    public static void WriteTagValue(FrameWriter frame, object? value)
    {
        switch (value)
        {
            case null:
                frame.WriteByte((byte)TagType.Null);
                break;
            case string text:
                frame.WriteByte((byte)TagType.String);
                frame.WriteString(text);
                break;
            case int or long or short or byte:
                frame.WriteByte((byte)TagType.Int64);
                frame.WriteInt64(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case double or float:
                frame.WriteByte((byte)TagType.Double);
                frame.WriteDouble(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case bool flag:
                frame.WriteByte((byte)TagType.Boolean);
                frame.WriteBoolean(flag);
                break;
            default:
                frame.WriteByte((byte)TagType.String);
                frame.WriteString(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    public static object? ReadTagValue(FrameReader frame) => (TagType)frame.ReadByte() switch
    {
        TagType.Null => null,
        TagType.String => frame.ReadNullableString(),
        TagType.Int64 => frame.ReadInt64(),
        TagType.Double => frame.ReadDouble(),
        TagType.Boolean => frame.ReadBoolean(),
        var other => throw new InvalidDataException($"Unknown tag type {(byte)other} in a measurement."),
    };
}
