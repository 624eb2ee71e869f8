using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Switchyard.Redis.Resp;

/// <summary>One argument of a command: text (UTF-8), bytes or an integer, without boxing.</summary>
internal readonly struct RedisArg
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _integer;
    private readonly byte _kind;

    private RedisArg(string? text, ReadOnlyMemory<byte> bytes, long integer, byte kind)
    {
        _text = text;
        _bytes = bytes;
        _integer = integer;
        _kind = kind;
    }

    public static implicit operator RedisArg(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), default, 0, 0);

    public static implicit operator RedisArg(ReadOnlyMemory<byte> bytes) => new(null, bytes, 0, 1);

    public static implicit operator RedisArg(byte[] bytes) => new(null, bytes, 0, 1);

    public static implicit operator RedisArg(long integer) => new(null, default, integer, 2);

    /// <summary>Writes the argument as a RESP bulk string.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        switch (_kind)
        {
            case 0:
                var length = Encoding.UTF8.GetByteCount(_text!);
                WriteLength(output, (byte)'$', length);
                Encoding.UTF8.GetBytes(_text, output);
                break;
            case 1:
                WriteLength(output, (byte)'$', _bytes.Length);
                output.Write(_bytes.Span);
                break;
            default:
                Span<byte> digits = stackalloc byte[20];
                Utf8Formatter.TryFormat(_integer, digits, out var written);
                WriteLength(output, (byte)'$', written);
                output.Write(digits[..written]);
                break;
        }

        output.Write("\r\n"u8);
    }

    /// <summary>Writes a RESP header such as <c>*3\r\n</c> or <c>$5\r\n</c>.</summary>
    public static void WriteLength(IBufferWriter<byte> output, byte prefix, int length)
    {
        var span = output.GetSpan(16);
        span[0] = prefix;
        Utf8Formatter.TryFormat(length, span[1..], out var written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(3 + written);
    }

    public override string ToString() => _kind switch
    {
        0 => _text!,
        1 => $"<{_bytes.Length} bytes>",
        _ => _integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
