using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Switchyard.Server;

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
        if (!WebSocketCloseCodes.MaySend(code))
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
}
