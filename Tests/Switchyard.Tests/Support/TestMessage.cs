using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Switchyard.Tests.Support;

/// <summary>A message record with the serializer the source generator would write, written by hand for runtime tests.</summary>
public sealed record TestMessage(int Id, string Text) : IChannelMessage<TestMessage>
{
    public static string MessageType => "test.message";

    public static void Write(TestMessage message, IBufferWriter<byte> writer)
    {
        var length = Encoding.UTF8.GetByteCount(message.Text);
        var span = writer.GetSpan(8 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, message.Id);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], length);
        Encoding.UTF8.GetBytes(message.Text, span[8..]);
        writer.Advance(8 + length);
    }

    public static TestMessage Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            throw new FormatException("A test.message payload is at least 8 bytes.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        return new TestMessage(BinaryPrimitives.ReadInt32LittleEndian(payload), Encoding.UTF8.GetString(payload.Slice(8, length)));
    }
}
