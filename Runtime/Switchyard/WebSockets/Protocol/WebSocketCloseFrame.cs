using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Switchyard.WebSockets.Protocol;

/// <summary>Reads a client's close frame payload (RFC 6455 §5.5.1, §7.4).</summary>
internal static class WebSocketCloseFrame
{
    /// <summary>Parses a close payload; returns the protocol error to close with, or 0 when it is valid.</summary>
    public static int TryParse(ReadOnlySpan<byte> payload, out int code, out string? reason)
    {
        reason = null;
        if (payload.Length == 0)
        {
            code = WebSocketCloseCodes.NoStatusReceived;
            return 0;
        }

        code = 0;
        if (payload.Length == 1)
        {
            return WebSocketCloseCodes.ProtocolError;
        }

        code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!IsValidReceivedCode(code))
        {
            return WebSocketCloseCodes.ProtocolError;
        }

        var text = payload[2..];
        if (!Utf8.IsValid(text))
        {
            return WebSocketCloseCodes.InvalidPayloadData;
        }

        reason = text.IsEmpty ? null : Encoding.UTF8.GetString(text);
        return 0;
    }

    /// <summary>Whether a peer may send <paramref name="code"/> in a close frame (RFC 6455 §7.4.1, IANA registry).</summary>
    public static bool IsValidReceivedCode(int code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };

    /// <summary>Whether an application may send <paramref name="code"/>: 1000, 3000–4999, or a defined code other than the reserved 1004–1006 and 1015.</summary>
    public static bool IsValidSentCode(int code) => IsValidReceivedCode(code);
}
