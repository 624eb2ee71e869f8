using System.Buffers;
using System.Text.Unicode;

namespace Switchyard.Server;

/// <summary>
/// Reads a client's frames (RFC 6455 §5) from the bytes received so far: checks each header, unmasks payloads,
/// reassembles fragmented messages into one pooled buffer, validates text as UTF-8 and enforces the size and fragment
/// limits; with permessage-deflate negotiated (<see cref="EnableDeflate"/>) it inflates compressed messages, never
/// beyond the size limit. Pure logic over a <see cref="ReadOnlySequence{T}"/>: no I/O, no clock, no consumer; one per
/// connection.
/// </summary>
internal sealed class WebSocketFrameReader(int maxMessageSize, int maxMessageFragments)
{
    // The RSV1 bit as WebSocketFrameHeader.Reserved holds it (RSV1 RSV2 RSV3, high to low).
    private const byte Rsv1 = 0x4;

    // The message being reassembled from its frames: a pooled buffer, only while a message is arriving.
    private byte[]? _message;
    private int _messageLength;
    private int _messageFrames;
    private WebSocketOpcode _messageOpcode;
    private bool _messageCompressed;
    private bool _deflate;

    /// <summary>Gets whether a message has begun (a non-final frame was read) and waits for its continuation frames.</summary>
    public bool InMessage => _messageOpcode != WebSocketOpcode.Continuation;

    /// <summary>
    /// Accepts messages compressed with permessage-deflate (RFC 7692), negotiated without context takeover: RSV1 on a
    /// message's first frame marks it compressed, and it is inflated, at most to the size limit, when it is complete.
    /// </summary>
    public void EnableDeflate() => _deflate = true;

    /// <summary>Gets the close code to fail the connection with, after <see cref="WebSocketFrameStep.Failed"/>.</summary>
    public int FailCode { get; private set; }

    /// <summary>Gets why, after <see cref="WebSocketFrameStep.Failed"/>: for the log and the close frame.</summary>
    public string? FailReason { get; private set; }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/> and moves the buffer past it. Nothing is consumed
    /// on <see cref="WebSocketFrameStep.NeedMoreData"/> or <see cref="WebSocketFrameStep.Failed"/>.
    /// </summary>
    /// <param name="buffer">The bytes received and not yet read.</param>
    /// <param name="control">The control frame, after <see cref="WebSocketFrameStep.Control"/>.</param>
    /// <returns>What the frame was.</returns>
    public WebSocketFrameStep Read(ref ReadOnlySequence<byte> buffer, out WebSocketControlFrame control)
    {
        control = default;
        if (!WebSocketFrameHeader.TryParse(buffer, out var header))
        {
            return WebSocketFrameStep.NeedMoreData;
        }

        // RSV1 is permessage-deflate's "compressed" bit, on the first frame of a data message only (RFC 7692 §6).
        var compressed = header.Reserved == Rsv1 && _deflate && header.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary;
        if (header.Reserved != 0 && !compressed)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, _deflate
                ? "RSV1 set on a frame other than a data message's first, or RSV2/RSV3 set"
                : "reserved bits set without a negotiated extension");
        }

        if (!header.Masked)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "client frames must be masked");
        }

        if (header.PayloadLength < 0)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "a 64-bit payload length with its most significant bit set");
        }

        if (header.IsControl)
        {
            if (header.Opcode is not (WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong))
            {
                return Fail(WebSocketCloseCodes.ProtocolError, $"unknown opcode {(int)header.Opcode}");
            }

            if (!header.Fin || header.PayloadLength > 125)
            {
                return Fail(WebSocketCloseCodes.ProtocolError, "control frames must be final and at most 125 bytes");
            }
        }
        else
        {
            if (header.Opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary))
            {
                return Fail(WebSocketCloseCodes.ProtocolError, $"unknown opcode {(int)header.Opcode}");
            }

            var continuing = InMessage;
            if (header.Opcode == WebSocketOpcode.Continuation ? !continuing : continuing)
            {
                return Fail(WebSocketCloseCodes.ProtocolError, continuing
                    ? "a new message began before the previous one's final frame"
                    : "a continuation frame without a message to continue");
            }

            if (header.PayloadLength > maxMessageSize - _messageLength)
            {
                return Fail(WebSocketCloseCodes.MessageTooBig, $"message larger than {maxMessageSize} bytes");
            }

            // RFC 6455 §7.4.1: 1009 is for a message too big to process; a message of too many fragments (empty ones
            // cost nothing in size) is not big but breaks a policy: 1008.
            if (_messageFrames >= maxMessageFragments)
            {
                return Fail(WebSocketCloseCodes.PolicyViolation, $"a message in more than {maxMessageFragments} fragments");
            }
        }

        var frameLength = header.HeaderLength + header.PayloadLength;
        if (buffer.Length < frameLength)
        {
            return WebSocketFrameStep.NeedMoreData;
        }

        var payload = buffer.Slice(header.HeaderLength, header.PayloadLength);
        var length = (int)header.PayloadLength;
        if (header.IsControl)
        {
            var bytes = length == 0 ? [] : new byte[length];
            WebSocketMask.Unmask(payload, bytes, header.MaskKey, 0);
            control = new WebSocketControlFrame(header.Opcode, bytes);
            buffer = buffer.Slice(frameLength);
            return WebSocketFrameStep.Control;
        }

        if (header.Opcode != WebSocketOpcode.Continuation)
        {
            _messageOpcode = header.Opcode;
            _messageCompressed = compressed;
        }

        EnsureMessageCapacity(_messageLength + length, header.Fin);
        WebSocketMask.Unmask(payload, _message.AsSpan(_messageLength), header.MaskKey, 0);
        _messageLength += length;
        _messageFrames++;

        // Checked before the frame is consumed: Failed consumes nothing, whichever check failed.
        if (header.Fin && _messageCompressed && Inflate() is var error and not 0)
        {
            return Fail(error, error == WebSocketCloseCodes.MessageTooBig
                ? $"a compressed message that inflates to more than {maxMessageSize} bytes"
                : "a compressed message that is not valid DEFLATE data");
        }

        if (header.Fin && _messageOpcode == WebSocketOpcode.Text && !Utf8.IsValid(_message.AsSpan(0, _messageLength)))
        {
            return Fail(WebSocketCloseCodes.InvalidPayloadData, "a text message that is not valid UTF-8");
        }

        buffer = buffer.Slice(frameLength);
        return header.Fin ? WebSocketFrameStep.Message : WebSocketFrameStep.FrameDone;
    }

    /// <summary>
    /// Hands over the message completed by <see cref="WebSocketFrameStep.Message"/> and gets ready for the next.
    /// </summary>
    /// <param name="rented">The pooled array behind the message's bytes, for the caller to return once it is handled.</param>
    /// <returns>The message.</returns>
    public WebSocketMessage TakeMessage(out byte[]? rented)
    {
        rented = _message;
        var message = new WebSocketMessage(_messageOpcode == WebSocketOpcode.Text, _message.AsMemory(0, _messageLength));
        _message = null;
        Reset();
        return message;
    }

    /// <summary>Drops a message still being reassembled and returns its buffer to the pool.</summary>
    public void Reset()
    {
        if (_message is not null)
        {
            ArrayPool<byte>.Shared.Return(_message);
            _message = null;
        }

        _messageLength = 0;
        _messageFrames = 0;
        _messageOpcode = WebSocketOpcode.Continuation;
        _messageCompressed = false;
    }

    // Replaces the compressed message by its inflated bytes; returns 0, or the close code when it cannot be.
    private int Inflate()
    {
        var error = WebSocketDeflate.TryDecompress(_message.AsSpan(0, _messageLength), maxMessageSize, out var inflated, out var length);
        if (error != 0)
        {
            return error;
        }

        if (_message is not null)
        {
            ArrayPool<byte>.Shared.Return(_message);
        }

        _message = inflated;
        _messageLength = length;
        return 0;
    }

    private void EnsureMessageCapacity(int needed, bool final)
    {
        if (_message is not null && _message.Length >= needed)
        {
            return;
        }

        // A final frame needs exactly what it has; a fragmented message grows by doubling, within the limit.
        var size = final ? needed : Math.Min(Math.Max(needed, (_message?.Length ?? 0) * 2), maxMessageSize);
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        if (_message is not null)
        {
            _message.AsSpan(0, _messageLength).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_message);
        }

        _message = grown;
    }

    private WebSocketFrameStep Fail(int code, string reason)
    {
        FailCode = code;
        FailReason = reason;
        return WebSocketFrameStep.Failed;
    }
}
