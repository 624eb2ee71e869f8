using System.Buffers;
using System.Buffers.Text;

namespace Switchyard.Redis.Resp;

/// <summary>
/// Parses RESP2 and RESP3 replies from buffered bytes. <see cref="TryRead"/> returns <see langword="false"/> when the
/// reply is not complete yet; bytes that are not RESP are a <see cref="RedisProtocolException"/>, never a hang.
/// </summary>
internal static class RespReader
{
    /// <summary>Nesting deeper than this is refused (Redis replies are shallow; a hostile peer's are not).</summary>
    public const int MaxDepth = 32;

    /// <summary>The longest bulk string Redis itself allows (proto-max-bulk-len).</summary>
    public const long MaxBulkLength = 512L * 1024 * 1024;

    public static bool TryRead(ref SequenceReader<byte> reader, out RespValue value) => TryReadAt(ref reader, out value, 0);

    private static bool TryReadAt(ref SequenceReader<byte> reader, out RespValue value, int depth)
    {
        value = default;
        if (depth > MaxDepth)
        {
            throw new RedisProtocolException($"The reply nests deeper than {MaxDepth} levels.");
        }

        if (!reader.TryRead(out var prefix) || !reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            return false;
        }

        switch ((char)prefix)
        {
            case '+':
                value = RespValue.FromBytes(RespType.SimpleString, line.ToArray());
                return true;
            case '-':
                value = RespValue.FromBytes(RespType.Error, line.ToArray());
                return true;
            case ':':
                value = RespValue.FromInteger(RespType.Integer, ParseInteger(line));
                return true;
            case '_':
                value = RespValue.Null;
                return true;
            case '#':
                value = RespValue.FromInteger(RespType.Boolean, ParseBoolean(line));
                return true;
            case ',':
                value = RespValue.FromDouble(ParseDouble(line));
                return true;
            case '(':
                value = RespValue.FromBytes(RespType.BigNumber, line.ToArray());
                return true;
            case '$':
                return TryReadBlob(ref reader, ParseInteger(line), RespType.BulkString, out value);
            case '!':
                return TryReadBlob(ref reader, ParseInteger(line), RespType.Error, out value);
            case '=':
                return TryReadBlob(ref reader, ParseInteger(line), RespType.VerbatimString, out value);
            case '*':
                return TryReadAggregate(ref reader, ParseInteger(line), 1, RespType.Array, out value, depth);
            case '~':
                return TryReadAggregate(ref reader, ParseInteger(line), 1, RespType.Set, out value, depth);
            case '>':
                return TryReadAggregate(ref reader, ParseInteger(line), 1, RespType.Push, out value, depth);
            case '%':
                return TryReadAggregate(ref reader, ParseInteger(line), 2, RespType.Map, out value, depth);
            case '|':
                // An attribute precedes the reply it describes: read it, drop it, read the reply.
                return TryReadAggregate(ref reader, ParseInteger(line), 2, RespType.Map, out _, depth) && TryReadAt(ref reader, out value, depth);
            default:
                throw new RedisProtocolException($"The peer sent 0x{prefix:X2}, which does not start any RESP reply; it is not a Redis server, or the stream is corrupt.");
        }
    }

    private static bool TryReadBlob(ref SequenceReader<byte> reader, long length, RespType type, out RespValue value)
    {
        value = default;
        if (length == -1)
        {
            value = RespValue.Null;
            return true;
        }

        if (length < 0 || length > MaxBulkLength)
        {
            throw new RedisProtocolException($"A string reply of {length} bytes is outside 0..{MaxBulkLength}.");
        }

        if (reader.Remaining < length + 2)
        {
            return false;
        }

        var bytes = new byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new RedisProtocolException("A string reply is not followed by CRLF.");
        }

        value = RespValue.FromBytes(type, bytes);
        return true;
    }

    private static bool TryReadAggregate(ref SequenceReader<byte> reader, long count, int perEntry, RespType type, out RespValue value, int depth)
    {
        value = default;
        if (count == -1)
        {
            value = RespValue.Null;
            return true;
        }

        // Every element takes at least 3 bytes, so a count beyond what could ever arrive is garbage, not a big reply.
        if (count < 0 || count > MaxBulkLength / 3)
        {
            throw new RedisProtocolException($"An aggregate reply of {count} elements is out of range.");
        }

        var items = new RespValue[count * perEntry];
        for (var i = 0; i < items.Length; i++)
        {
            if (!TryReadAt(ref reader, out items[i], depth + 1))
            {
                return false;
            }
        }

        value = RespValue.FromItems(type, items);
        return true;
    }

    private static long ParseInteger(ReadOnlySequence<byte> line)
    {
        Span<byte> digits = stackalloc byte[24];
        if (line.Length is 0 or > 24)
        {
            throw new RedisProtocolException("A length or integer in the reply is empty or too long.");
        }

        line.CopyTo(digits);
        return Utf8Parser.TryParse(digits[..(int)line.Length], out long parsed, out var consumed) && consumed == line.Length
            ? parsed
            : throw new RedisProtocolException("A length or integer in the reply is not a number.");
    }

    private static long ParseBoolean(ReadOnlySequence<byte> line) =>
        line.Length == 1 && line.FirstSpan[0] is (byte)'t' or (byte)'f'
            ? (line.FirstSpan[0] == 't' ? 1 : 0)
            : throw new RedisProtocolException("A boolean reply is neither t nor f.");

    private static double ParseDouble(ReadOnlySequence<byte> line)
    {
        var text = System.Text.Encoding.ASCII.GetString(line.ToArray());
        return text switch
        {
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            "nan" => double.NaN,
            _ when double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new RedisProtocolException($"A double reply '{text}' is not a number."),
        };
    }
}
