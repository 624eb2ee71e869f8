using System.Buffers.Binary;
using System.Text;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>Reads one received frame (everything after its length prefix) in the order <see cref="FrameWriter"/> wrote it.</summary>
internal sealed class FrameReader
{
    private readonly ReadOnlyMemory<byte> _frame;
    private int _position;

    public FrameReader(ReadOnlyMemory<byte> frame)
    {
        _frame = frame;
        Kind = (FrameKind)ReadByte();
        Id = ReadInt64();
        Operation = (Operation)ReadByte();
    }

    public FrameKind Kind { get; }

    public long Id { get; }

    public Operation Operation { get; }

    public byte ReadByte()
    {
        var value = Take(1)[0];
        return value;
    }

    public bool ReadBoolean() => ReadByte() != 0;

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadDouble() => BitConverter.Int64BitsToDouble(ReadInt64());

    public string? ReadNullableString()
    {
        var count = ReadInt32();
        return count < 0 ? null : Encoding.UTF8.GetString(Take(count));
    }

    public string ReadString() =>
        ReadNullableString() ?? throw new InvalidDataException($"A {Operation} frame has a null string where one is required.");

    /// <summary>Returns a byte run as a slice of the frame (each frame has its own buffer, so the slice stays valid).</summary>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        var count = ReadInt32();
        if (count < 0 || count > _frame.Length - _position)
        {
            throw new InvalidDataException($"A {Operation} frame announces {count} bytes but has {_frame.Length - _position} left.");
        }

        var value = _frame.Slice(_position, count);
        _position += count;
        return value;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _frame.Length - _position)
        {
            throw new InvalidDataException($"A frame ended early: {count} bytes wanted at offset {_position} of {_frame.Length}.");
        }

        var span = _frame.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}
