using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Switchyard.Samples.Chat;

/// <summary>A line said in a room.</summary>
/// <remarks>
/// With the source generator (next milestone) this is one line: <c>[Message("chat.message")] public sealed partial record
/// ChatMessage(string Room, string User, string Text);</c>. Until then the binary form is written by hand.
/// </remarks>
public sealed record ChatMessage(string Room, string User, string Text) : IChannelMessage<ChatMessage>
{
    public static string MessageType => "chat.message";

    public static void Write(ChatMessage message, IBufferWriter<byte> writer)
    {
        WriteString(writer, message.Room);
        WriteString(writer, message.User);
        WriteString(writer, message.Text);
    }

    public static ChatMessage Read(ReadOnlySpan<byte> payload) =>
        new(ReadString(ref payload), ReadString(ref payload), ReadString(ref payload));

    private static void WriteString(IBufferWriter<byte> writer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = writer.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        Encoding.UTF8.GetBytes(value, span[4..]);
        writer.Advance(4 + length);
    }

    private static string ReadString(ref ReadOnlySpan<byte> payload)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(payload);
        var value = Encoding.UTF8.GetString(payload.Slice(4, length));
        payload = payload[(4 + length)..];
        return value;
    }
}
