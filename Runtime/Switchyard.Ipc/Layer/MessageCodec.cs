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
    public static byte[] Encode(ChannelMessage message, long id)
    {
        var body = new ArrayBufferWriter<byte>(64 + message.Payload.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(body.GetSpan(8), id);
        body.Advance(8);
        ChannelMessageFormat.Write(message, body);
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
            return ChannelMessageFormat.Read(bytes[8..]);
        }
        catch (FormatException ex)
        {
            throw new IpcLayerException($"A message in the shared segment is not valid ({ex.Message}); it was dropped.", ex);
        }
    }
}
