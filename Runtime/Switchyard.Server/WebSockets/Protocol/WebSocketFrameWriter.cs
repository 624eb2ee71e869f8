using System.Buffers.Binary;
using System.Text;

namespace Switchyard.Server;

/// <summary>Encodes server-to-client frames (RFC 6455 §5.2): final, unmasked, RSV1 set on a permessage-deflate message.</summary>
internal static class WebSocketFrameWriter
{
    /// <summary>The longest close reason that fits a control frame (125 bytes less the 2-byte code).</summary>
    public const int MaxCloseReasonBytes = 123;

    public static int GetHeaderLength(int payloadLength) => payloadLength switch
    {
        < 126 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };

    /// <summary>Writes a frame header for a final frame of <paramref name="payloadLength"/> bytes.</summary>
    /// <param name="destination">Room for <see cref="GetHeaderLength"/> bytes.</param>
    /// <param name="opcode">The frame's opcode.</param>
    /// <param name="payloadLength">The payload's length.</param>
    /// <param name="compressed">Whether the payload is a permessage-deflate message (RSV1).</param>
    /// <returns>The header length.</returns>
    public static int WriteHeader(Span<byte> destination, WebSocketOpcode opcode, int payloadLength, bool compressed = false)
    {
        destination[0] = (byte)(0x80 | (compressed ? 0x40 : 0) | (byte)opcode);
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }

        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }

        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    /// <summary>Builds a close frame's payload: the code in network order, then the reason cut to fit on a character boundary.</summary>
    public static byte[] CreateClosePayload(int code, string? reason)
    {
        var reasonBytes = string.IsNullOrEmpty(reason) ? [] : Encoding.UTF8.GetBytes(reason);
        var length = reasonBytes.Length;
        if (length > MaxCloseReasonBytes)
        {
            length = MaxCloseReasonBytes;
            while (length > 0 && (reasonBytes[length] & 0xC0) == 0x80)
            {
                length--;
            }
        }

        var payload = new byte[2 + length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reasonBytes.AsSpan(0, length).CopyTo(payload.AsSpan(2));
        return payload;
    }
}
