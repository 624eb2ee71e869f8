using System.Buffers;
using Switchyard.Serialization;

namespace Switchyard.Ipc.Layer;

/// <summary>
/// A message as it is stored in the shared segment: an id (the same for every member of one group send, so a process
/// decodes it once for all its members and a frame made from it is made once), then type, headers and payload in the
/// compact binary form. Not encrypted: the segment is a user-only file on this machine, which only processes of the
/// same user can open.
/// </summary>
internal static class MessageCodec
{
    private const byte FormatVersion = 1;

    public static byte[] Encode(ChannelMessage message, long id)
    {
        var body = new ArrayBufferWriter<byte>(64 + message.Payload.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(body.GetSpan(8), id);
        body.Advance(8);
        var writer = new BinaryMessageWriter(body);
        writer.WriteByte(FormatVersion);
        writer.WriteString(message.Type);
        writer.WriteCount(message.Headers.Count);
        foreach (var (key, value) in message.Headers)
        {
            writer.WriteString(key);
            writer.WriteString(value);
        }

        writer.WriteByteSpan(message.Payload.Span);
        return body.WrittenSpan.ToArray();
    }

    /// <summary>The id of an encoded message (0 when there is none to read).</summary>
    public static long IdOf(ReadOnlySpan<byte> bytes) => bytes.Length >= 8 ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes) : 0;

    /// <exception cref="IpcLayerException">The bytes are not a message of this layout.</exception>
    public static ChannelMessage Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 9)
        {
            throw new IpcLayerException("A message in the shared segment is too short to be one; it was dropped.");
        }

        try
        {
            var reader = new BinaryMessageReader(bytes[8..]);
            if (reader.ReadByte() != FormatVersion)
            {
                throw new IpcLayerException("A message in the shared segment has an unknown format version; it was dropped.");
            }

            var type = reader.ReadString() ?? string.Empty;
            var headers = MessageHeaders.Empty;
            for (var count = reader.ReadCollectionCount(); count > 0; count--)
            {
                headers = headers.With(reader.ReadString() ?? string.Empty, reader.ReadString() ?? string.Empty);
            }

            var payload = reader.ReadBytes() ?? [];
            reader.EnsureAtEnd("ipc message");
            return new ChannelMessage(type, payload, headers);
        }
        catch (FormatException ex)
        {
            throw new IpcLayerException($"A message in the shared segment is not valid ({ex.Message}); it was dropped.", ex);
        }
    }
}
