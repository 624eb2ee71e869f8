using System.Buffers.Binary;
using System.Text;

namespace Switchyard.Serialization;

/// <summary>Reads what <see cref="BinaryMessageWriter"/> wrote; every malformed input is a <see cref="FormatException"/>.</summary>
public ref struct BinaryMessageReader
{
    private readonly ReadOnlySpan<byte> _input;
    private int _position;

    /// <summary>Creates a reader over one message's bytes.</summary>
    /// <param name="input">The bytes.</param>
    public BinaryMessageReader(ReadOnlySpan<byte> input)
    {
        _input = input;
        _position = 0;
    }

    /// <summary>Gets whether every byte has been read.</summary>
    public readonly bool IsAtEnd => _position == _input.Length;

    /// <summary>Throws unless every byte has been read.</summary>
    /// <param name="messageName">The message being read, for the error.</param>
    /// <exception cref="FormatException">Bytes are left over.</exception>
    public readonly void EnsureAtEnd(string messageName)
    {
        if (!IsAtEnd)
        {
            throw new FormatException($"The binary form of '{messageName}' has {_input.Length - _position} unexpected trailing byte(s).");
        }
    }

    /// <summary>Reads a count written by <see cref="BinaryMessageWriter.WriteCount"/>; -1 for <see langword="null"/>.</summary>
    /// <returns>The count, or -1.</returns>
    public int ReadCount()
    {
        var stored = ReadVarUInt32();
        if (stored == 0)
        {
            return -1;
        }

        var count = stored - 1;
        if (count > int.MaxValue)
        {
            throw new FormatException($"A count in a binary message is {count}, more than any message can hold.");
        }

        return (int)count;
    }

    /// <summary>Reads whether an optional value follows.</summary>
    /// <returns><see langword="true"/> when a value follows.</returns>
    public bool ReadPresence() => ReadBoolean();

    /// <summary>Reads an unsigned integer written in 7-bit groups.</summary>
    /// <returns>The value.</returns>
    public uint ReadVarUInt32()
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("A variable-length integer in a binary message is longer than 5 bytes.");
    }

    /// <summary>Reads a boolean.</summary>
    /// <returns>The value.</returns>
    public bool ReadBoolean() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new FormatException($"A boolean in a binary message is {b}, not 0 or 1."),
    };

    /// <summary>Reads a byte.</summary>
    /// <returns>The value.</returns>
    public byte ReadByte() => Take(1)[0];

    /// <summary>Reads a signed byte.</summary>
    /// <returns>The value.</returns>
    public sbyte ReadSByte() => unchecked((sbyte)Take(1)[0]);

    /// <summary>Reads a 16-bit integer.</summary>
    /// <returns>The value.</returns>
    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    /// <summary>Reads an unsigned 16-bit integer.</summary>
    /// <returns>The value.</returns>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads a UTF-16 code unit.</summary>
    /// <returns>The value.</returns>
    public char ReadChar() => (char)ReadUInt16();

    /// <summary>Reads a 32-bit integer.</summary>
    /// <returns>The value.</returns>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads an unsigned 32-bit integer.</summary>
    /// <returns>The value.</returns>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a 64-bit integer.</summary>
    /// <returns>The value.</returns>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads an unsigned 64-bit integer.</summary>
    /// <returns>The value.</returns>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Reads a single-precision number.</summary>
    /// <returns>The value.</returns>
    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    /// <summary>Reads a double-precision number.</summary>
    /// <returns>The value.</returns>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads a decimal.</summary>
    /// <returns>The value.</returns>
    public decimal ReadDecimal()
    {
        Span<int> bits = [ReadInt32(), ReadInt32(), ReadInt32(), ReadInt32()];
        try
        {
            return new decimal(bits);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException("A decimal in a binary message is not valid.", ex);
        }
    }

    /// <summary>Reads a string; <see langword="null"/> when one was written.</summary>
    /// <returns>The value.</returns>
    public string? ReadString()
    {
        var length = ReadCount();
        if (length < 0)
        {
            return null;
        }

        try
        {
            return StrictUtf8.GetString(Take(length));
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException("A string in a binary message is not valid UTF-8.", ex);
        }
    }

    /// <summary>Reads a byte array; <see langword="null"/> when one was written.</summary>
    /// <returns>The value.</returns>
    public byte[]? ReadBytes()
    {
        var length = ReadCount();
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>Reads a GUID.</summary>
    /// <returns>The value.</returns>
    public Guid ReadGuid() => new(Take(16));

    /// <summary>Reads a date and time.</summary>
    /// <returns>The value.</returns>
    public DateTime ReadDateTime()
    {
        try
        {
            return DateTime.FromBinary(ReadInt64());
        }
        catch (ArgumentException ex)
        {
            throw new FormatException("A DateTime in a binary message is out of range.", ex);
        }
    }

    /// <summary>Reads a date, time and offset.</summary>
    /// <returns>The value.</returns>
    public DateTimeOffset ReadDateTimeOffset()
    {
        var ticks = ReadInt64();
        var offset = ReadInt16();
        try
        {
            return new DateTimeOffset(ticks, TimeSpan.FromMinutes(offset));
        }
        catch (ArgumentException ex)
        {
            throw new FormatException("A DateTimeOffset in a binary message is out of range.", ex);
        }
    }

    /// <summary>Reads a time span.</summary>
    /// <returns>The value.</returns>
    public TimeSpan ReadTimeSpan() => new(ReadInt64());

    /// <summary>Reads a count for a collection, bounded so hostile input cannot make the reader allocate more than it holds.</summary>
    /// <returns>The count, or -1 for <see langword="null"/>.</returns>
    public int ReadCollectionCount()
    {
        var count = ReadCount();
        if (count > _input.Length - _position)
        {
            // Every element takes at least one byte.
            throw Truncated();
        }

        return count;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > _input.Length - _position)
        {
            throw Truncated();
        }

        var span = _input.Slice(_position, length);
        _position += length;
        return span;
    }

    private readonly FormatException Truncated() =>
        new($"A binary message ended early: {_input.Length - _position} byte(s) left at position {_position}.");
}
