using System.Globalization;
using System.Text;

namespace Switchyard.Redis.Resp;

/// <summary>One reply from Redis: a scalar, a string's bytes (copied out of the connection's buffers) or an aggregate.</summary>
internal readonly struct RespValue
{
    private RespValue(RespType type, long integer, double number, byte[]? bytes, RespValue[]? items)
    {
        Type = type;
        Integer = integer;
        Double = number;
        Bytes = bytes;
        Items = items;
    }

    public RespType Type { get; }

    /// <summary>Gets an integer reply, or 1/0 for a boolean.</summary>
    public long Integer { get; }

    public double Double { get; }

    /// <summary>Gets the bytes of a simple, bulk, verbatim or big-number string, or of an error's message.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Gets the elements of an array, set or push; a map's keys and values alternate.</summary>
    public RespValue[]? Items { get; }

    public bool IsNull => Type == RespType.Null;

    public static RespValue Null { get; } = new(RespType.Null, 0, 0, null, null);

    public static RespValue FromInteger(RespType type, long value) => new(type, value, 0, null, null);

    public static RespValue FromDouble(double value) => new(RespType.Double, 0, value, null, null);

    public static RespValue FromBytes(RespType type, byte[] bytes) => new(type, 0, 0, bytes, null);

    public static RespValue FromItems(RespType type, RespValue[] items) => new(type, 0, 0, null, items);

    /// <summary>Gets the value as text: strings decoded as UTF-8, numbers in invariant culture; <see langword="null"/> for a null.</summary>
    public string? AsString() => Type switch
    {
        RespType.Null => null,
        RespType.Integer or RespType.Boolean => Integer.ToString(CultureInfo.InvariantCulture),
        RespType.Double => Double.ToString("R", CultureInfo.InvariantCulture),
        _ when Bytes is not null => Encoding.UTF8.GetString(Bytes),
        _ => throw new InvalidCastException($"A Redis {Type} reply is not a string."),
    };

    /// <summary>Gets an integer reply, or a string reply holding an integer.</summary>
    /// <exception cref="InvalidCastException">The reply is not an integer.</exception>
    public long AsInteger() => Type switch
    {
        RespType.Integer or RespType.Boolean => Integer,
        RespType.BulkString or RespType.SimpleString when long.TryParse(Bytes, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new InvalidCastException($"A Redis {Type} reply is not an integer."),
    };

    public override string ToString() => Type switch
    {
        RespType.Array or RespType.Set or RespType.Push or RespType.Map => $"{Type}[{Items!.Length}]",
        _ => $"{Type} {AsString()}",
    };
}
