using System.Buffers;
using System.Buffers.Binary;

namespace Switchyard.Server;

/// <summary>One parsed frame header of a client-to-server frame (RFC 6455 §5.2).</summary>
internal readonly struct WebSocketFrameHeader
{
    /// <summary>The longest header: 2 bytes, an 8-byte extended length and a 4-byte mask key.</summary>
    public const int MaxLength = 14;

    private WebSocketFrameHeader(bool fin, byte reserved, WebSocketOpcode opcode, bool masked, long payloadLength, uint maskKey, int headerLength)
    {
        Fin = fin;
        Reserved = reserved;
        Opcode = opcode;
        Masked = masked;
        PayloadLength = payloadLength;
        MaskKey = maskKey;
        HeaderLength = headerLength;
    }

    public bool Fin { get; }

    /// <summary>Gets the RSV1–RSV3 bits; no extension is negotiated, so they must be zero.</summary>
    public byte Reserved { get; }

    public WebSocketOpcode Opcode { get; }

    public bool Masked { get; }

    public long PayloadLength { get; }

    /// <summary>Gets the mask key in network byte order, as read.</summary>
    public uint MaskKey { get; }

    public int HeaderLength { get; }

    public bool IsControl => ((byte)Opcode & 0x8) != 0;

    /// <summary>Parses a header from the start of <paramref name="buffer"/>.</summary>
    /// <returns><see langword="false"/> when the buffer does not yet hold the whole header.</returns>
    public static bool TryParse(in ReadOnlySequence<byte> buffer, out WebSocketFrameHeader header)
    {
        Span<byte> bytes = stackalloc byte[MaxLength];
        var available = (int)Math.Min(buffer.Length, MaxLength);
        if (available < 2)
        {
            header = default;
            return false;
        }

        buffer.Slice(0, available).CopyTo(bytes);
        var b0 = bytes[0];
        var b1 = bytes[1];
        var masked = (b1 & 0x80) != 0;
        var length7 = b1 & 0x7F;
        var headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (available < headerLength)
        {
            header = default;
            return false;
        }

        long payloadLength = length7;
        var offset = 2;
        if (length7 == 126)
        {
            payloadLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
            offset = 4;
        }
        else if (length7 == 127)
        {
            // The most significant bit must be 0; a negative value is rejected by the caller as too large.
            payloadLength = (long)BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);
            offset = 10;
        }

        var maskKey = masked ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]) : 0u;
        header = new WebSocketFrameHeader(
            (b0 & 0x80) != 0,
            (byte)((b0 >> 4) & 0x7),
            (WebSocketOpcode)(b0 & 0x0F),
            masked,
            payloadLength,
            maskKey,
            headerLength);
        return true;
    }
}
