using System.Buffers.Binary;
using System.Text;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>
/// Builds one frame: a 4-byte little-endian length of what follows, then kind, id and operation, then the body written
/// with the <c>Write...</c> methods (integers little-endian; strings and byte runs prefixed by their length, -1 for null).
/// </summary>
internal sealed class FrameWriter
{
    /// <summary>Bytes before the body: length, kind, id, operation.</summary>
    public const int HeaderSize = 4 + 1 + 8 + 1;

    private byte[] _buffer;
    private int _length;

    public FrameWriter(FrameKind kind, long id, Operation operation, int bodySizeHint = 64)
    {
        _buffer = new byte[HeaderSize + bodySizeHint];
        _length = 4;
        WriteByte((byte)kind);
        WriteInt64(id);
        WriteByte((byte)operation);
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteDouble(double value) => WriteInt64(BitConverter.DoubleToInt64Bits(value));

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt32(count);
        Ensure(count);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Returns the finished frame, length prefix filled in. The writer must not be used afterwards.</summary>
    public byte[] ToFrame()
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer, _length - 4);
        if (_length == _buffer.Length)
        {
            return _buffer;
        }

        return _buffer.AsSpan(0, _length).ToArray();
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }

        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
    }
}
