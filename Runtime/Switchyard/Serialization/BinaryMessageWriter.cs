using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Switchyard.Serialization;

/// <summary>
/// Writes the compact binary form of messages that generated serializers use on channel layers: fixed-size
/// little-endian numbers, length-prefixed UTF-8 strings and counts where 0 means <see langword="null"/>.
/// </summary>
/// <remarks>Generated code calls it; it is public so serializers in other assemblies can compose.</remarks>
public ref struct BinaryMessageWriter
{
    private readonly IBufferWriter<byte> _output;

    /// <summary>Creates a writer over <paramref name="output"/>.</summary>
    /// <param name="output">Where the bytes go.</param>
    public BinaryMessageWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Writes a count, or 0 for <see langword="null"/> (counts are stored plus one).</summary>
    /// <param name="count">The count, or <see langword="null"/>.</param>
    public readonly void WriteCount(int? count) => WriteVarUInt32(count is { } c ? (uint)c + 1 : 0);

    /// <summary>Writes whether an optional value follows.</summary>
    /// <param name="present">Whether a value follows.</param>
    public readonly void WritePresence(bool present) => WriteByte(present ? (byte)1 : (byte)0);

    /// <summary>Writes an unsigned integer in 7-bit groups (1 to 5 bytes).</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteVarUInt32(uint value)
    {
        var span = _output.GetSpan(5);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _output.Advance(i);
    }

    /// <summary>Writes a boolean as one byte.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a byte.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    /// <summary>Writes a signed byte.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteSByte(sbyte value) => WriteByte(unchecked((byte)value));

    /// <summary>Writes a 16-bit integer.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    /// <summary>Writes an unsigned 16-bit integer.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    /// <summary>Writes a UTF-16 code unit.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteChar(char value) => WriteUInt16(value);

    /// <summary>Writes a 32-bit integer.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    /// <summary>Writes an unsigned 32-bit integer.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    /// <summary>Writes a 64-bit integer.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    /// <summary>Writes an unsigned 64-bit integer.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    /// <summary>Writes a single-precision number.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteSingle(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    /// <summary>Writes a double-precision number.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    /// <summary>Writes a decimal as its four 32-bit parts.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        foreach (var part in bits)
        {
            WriteInt32(part);
        }
    }

    /// <summary>Writes a string as a count (0 for <see langword="null"/>) and its UTF-8 bytes.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteString(string? value)
    {
        if (value is null)
        {
            WriteCount(null);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteCount(length);
        var written = Encoding.UTF8.GetBytes(value, _output.GetSpan(length));
        _output.Advance(written);
    }

    /// <summary>Writes bytes in the form <see cref="WriteBytes"/> writes a non-null array, without copying them into an array first.</summary>
    /// <param name="value">The bytes.</param>
    public readonly void WriteByteSpan(ReadOnlySpan<byte> value)
    {
        WriteCount(value.Length);
        if (!value.IsEmpty)
        {
            value.CopyTo(_output.GetSpan(value.Length));
            _output.Advance(value.Length);
        }
    }

    /// <summary>Writes a byte array as a count (0 for <see langword="null"/>) and its bytes.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteBytes(byte[]? value)
    {
        WriteCount(value?.Length);
        if (value is { Length: > 0 })
        {
            value.CopyTo(_output.GetSpan(value.Length));
            _output.Advance(value.Length);
        }
    }

    /// <summary>Writes a GUID as 16 bytes.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteGuid(Guid value)
    {
        value.TryWriteBytes(_output.GetSpan(16));
        _output.Advance(16);
    }

    /// <summary>Writes a date and time with its kind.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteDateTime(DateTime value) => WriteInt64(value.ToBinary());

    /// <summary>Writes a date, time and offset.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteDateTimeOffset(DateTimeOffset value)
    {
        WriteInt64(value.Ticks);
        WriteInt16((short)value.Offset.TotalMinutes);
    }

    /// <summary>Writes a time span as ticks.</summary>
    /// <param name="value">The value.</param>
    public readonly void WriteTimeSpan(TimeSpan value) => WriteInt64(value.Ticks);
}
