using System.Text;

namespace Switchyard.Server.Tests.Support;

/// <summary>
/// Encodes one client-to-server frame byte by byte from RFC 6455 §5.2, independently of the code under test, including
/// frames no conforming client sends (reserved bits and opcodes, unmasked, a length that is not the payload's).
/// </summary>
internal sealed class ClientFrame
{
    public const int Continuation = 0x0;
    public const int Text = 0x1;
    public const int Binary = 0x2;
    public const int Close = 0x8;
    public const int Ping = 0x9;
    public const int Pong = 0xA;

    /// <summary>The mask key of frames that do not choose one.</summary>
    public static readonly byte[] DefaultMaskKey = [0x37, 0xFA, 0x21, 0x3D];

    /// <summary>Gets the opcode, 0–15: an int so that the reserved ones can be written.</summary>
    public required int Opcode { get; init; }

    public byte[] Payload { get; init; } = [];

    public bool Fin { get; init; } = true;

    /// <summary>Gets the reserved bits as a 3-bit number: RSV1 = 4, RSV2 = 2, RSV3 = 1.</summary>
    public int Rsv { get; init; }

    public bool Masked { get; init; } = true;

    /// <summary>Gets the 4 mask key bytes in the order they are sent.</summary>
    public byte[] MaskKey { get; init; } = DefaultMaskKey;

    public LengthForm LengthForm { get; init; }

    /// <summary>Gets a payload length to declare instead of the payload's own (for a header sent without its payload).</summary>
    public ulong? DeclaredLength { get; init; }

    public static byte[] TextFrame(string text, bool fin = true) => new ClientFrame { Opcode = Text, Payload = Encoding.UTF8.GetBytes(text), Fin = fin }.ToBytes();

    public static byte[] Frame(int opcode, byte[] payload, bool fin = true) => new ClientFrame { Opcode = opcode, Payload = payload, Fin = fin }.ToBytes();

    public static byte[] CloseFrame(int code, string reason = "")
    {
        var reasonBytes = Encoding.UTF8.GetBytes(reason);
        var payload = new byte[2 + reasonBytes.Length];
        payload[0] = (byte)(code >> 8);
        payload[1] = (byte)code;
        reasonBytes.CopyTo(payload, 2);
        return Frame(Close, payload);
    }

    /// <summary>Joins frames into one byte stream, as they would arrive on the connection.</summary>
    public static byte[] Concat(params byte[][] frames) => [.. frames.SelectMany(f => f)];

    /// <summary>Gets the header: the frame's bytes up to its payload.</summary>
    public byte[] HeaderBytes() => ToBytes(withPayload: false);

    public byte[] ToBytes() => ToBytes(withPayload: true);

    private byte[] ToBytes(bool withPayload)
    {
        if (Opcode is < 0 or > 15 || Rsv is < 0 or > 7 || MaskKey.Length != 4)
        {
            throw new ArgumentException("The opcode is 4 bits, the reserved bits 3 and the mask key 4 bytes.");
        }

        var length = DeclaredLength ?? (ulong)Payload.Length;
        var form = LengthForm == LengthForm.Minimal
            ? length <= 125 ? LengthForm.Bits7 : length <= ushort.MaxValue ? LengthForm.Bits16 : LengthForm.Bits64
            : LengthForm;
        if ((form == LengthForm.Bits7 && length > 125) || (form == LengthForm.Bits16 && length > ushort.MaxValue))
        {
            throw new ArgumentException($"A payload length of {length} does not fit the {form} form.");
        }

        var bytes = new List<byte>(14 + Payload.Length)
        {
            (byte)((Fin ? 0x80 : 0) | (Rsv << 4) | Opcode),
        };
        var maskBit = Masked ? 0x80 : 0;
        switch (form)
        {
            case LengthForm.Bits7:
                bytes.Add((byte)(maskBit | (int)length));
                break;
            case LengthForm.Bits16:
                bytes.Add((byte)(maskBit | 126));
                bytes.AddRange(BigEndian(length, 2));
                break;
            default:
                bytes.Add((byte)(maskBit | 127));
                bytes.AddRange(BigEndian(length, 8));
                break;
        }

        if (Masked)
        {
            bytes.AddRange(MaskKey);
        }

        if (withPayload)
        {
            for (var i = 0; i < Payload.Length; i++)
            {
                bytes.Add(Masked ? (byte)(Payload[i] ^ MaskKey[i % 4]) : Payload[i]);
            }
        }

        return [.. bytes];
    }

    private static byte[] BigEndian(ulong value, int size)
    {
        var bytes = new byte[size];
        for (var i = size - 1; i >= 0; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }

        return bytes;
    }
}
