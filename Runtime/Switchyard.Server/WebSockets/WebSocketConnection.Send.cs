using System.Buffers;
using System.Runtime.InteropServices;

namespace Switchyard.Server;

/// <summary>
/// The send side: the consumer's sends and the layer's forwarded group messages into the send queue, and the slow-
/// client policy.
/// </summary>
internal sealed partial class WebSocketConnection
{
    ForwardOutcome IChannelForwarder.Forward(ChannelMessage message, bool mayWait)
    {
        // While the consumer replays a group it resumed, that group's live messages wait for the replay (the runner
        // hands them on after it), and those the replay covered are dropped.
        if (_runner.ForwardingVerdict(message) != GroupResumeTracker.Verdict.Pass)
        {
            return ForwardOutcome.Forwarded;
        }

        return ForwardFrame(message, mayWait);
    }

    // A replayed message (a resumed group's), after the runner waited for room: sent as the forwarding path sends it.
    private bool ForwardReplayed(ChannelMessage message) => _forwarding is not null && ForwardFrame(message, mayWait: true) == ForwardOutcome.Forwarded;

    private ForwardOutcome ForwardFrame(ChannelMessage message, bool mayWait)
    {
        ForwardedFrame frame;
        try
        {
            // The framework's own messages go to the consumer's runner, never to the client.
            if (message.Type == UserGroups.DisconnectMessageType || !_forwarding!.TryGetFrame(message, out frame))
            {
                return ForwardOutcome.NotForwarded;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // A payload that does not read as its type: the normal path hands it to the handler, which fails as it would
            // without the forwarding path (the consumer stops, the client is told 1011), and the sender is not hurt.
            return ForwardOutcome.NotForwarded;
        }

        // Not written inline: the sender is fanning out to many connections; each connection's writer coalesces.
        var opcode = frame.IsText ? WebSocketOpcode.Text : WebSocketOpcode.Binary;
        var payload = frame.Payload;
        var compressed = ShouldCompress(payload.Length);
        if (compressed)
        {
            payload = CompressShared(message, payload);
        }

        switch (_sendQueue.TrySend(opcode, payload, rented: null, writeInline: false, compressed))
        {
            case SendQueueOutcome.Queued:
                _droppingForSlowClient = false;
                _metrics.Sent();
                return ForwardOutcome.Forwarded;
            case SendQueueOutcome.Full when mayWait && !_droppingForSlowClient:
                return ForwardOutcome.Full;
            case SendQueueOutcome.Full:
                // Found slow once (a sender waited the whole timeout): later messages are dropped without waiting
                // until the queue has room again, so a client that stopped reading does not slow every group send.
                _droppingForSlowClient = true;
                OnSlowClient();
                return ForwardOutcome.Dropped;
            default:
                _metrics.Dropped(WebSocketMetrics.ReasonClosed);
                return ForwardOutcome.Dropped;
        }
    }

    // With permessage-deflate negotiated, messages from the threshold up go out compressed (RFC 7692 lets each message choose).
    private bool ShouldCompress(int length) => _deflateThreshold >= 0 && length >= _deflateThreshold;

    // A forwarded frame is shared by every member of the group in this process; without context takeover its compressed
    // form is too, so it is compressed once per message (cached on the message, keyed by the plain frame's array) rather
    // than once per connection.
    private ReadOnlyMemory<byte> CompressShared(ChannelMessage message, ReadOnlyMemory<byte> plain)
    {
        if (_options.ShareCompressedFrames
            && MemoryMarshal.TryGetArray(plain, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length)
        {
            return message.GetFrame(segment.Array, segment.Array, static (_, bytes) => WebSocketDeflate.Compress(bytes))!;
        }

        return WebSocketDeflate.Compress(plain.Span);
    }

    ValueTask IChannelForwarder.WaitForRoomAsync(CancellationToken cancellationToken) => _sendQueue.WaitForRoomAsync(cancellationToken);

    internal void Send(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload, byte[]? rented, bool writeInline = true)
    {
        var compressed = ShouldCompress(payload.Length);
        if (compressed)
        {
            var deflated = WebSocketDeflate.CompressRented(payload.Span, out var length);
            ReturnRented(rented);
            (payload, rented) = (deflated.AsMemory(0, length), deflated);
        }

        switch (_sendQueue.TrySend(opcode, payload, rented, writeInline, compressed))
        {
            case SendQueueOutcome.Queued:
                _metrics.Sent();
                return;
            case SendQueueOutcome.Closed:
                _metrics.Dropped(WebSocketMetrics.ReasonClosed);
                WebSocketLog.DroppedAfterClose(_logger, Scope.Path, Scope.ChannelName);
                return;
            default:
                OnSlowClient();
                return;
        }
    }

    // A message met the send queue full and cannot wait: the slow-client policy decides.
    private void OnSlowClient()
    {
        _metrics.Dropped(WebSocketMetrics.ReasonSlowClient);
        if (_options.SlowClientMode == SlowClientMode.Close)
        {
            if (Volatile.Read(ref _closeSent) == 0)
            {
                WebSocketLog.SlowClient(_logger, Scope.Path, Scope.ChannelName, _options.SendQueueCapacity, "closing it with 1008 and dropping what it had not read");
            }

            StartClose(WebSocketCloseCodes.PolicyViolation, "slow client", discardPending: true);
        }
        else if (!_slowClientLogged)
        {
            _slowClientLogged = true;
            WebSocketLog.SlowClient(_logger, Scope.Path, Scope.ChannelName, _options.SendQueueCapacity, "dropping messages until it catches up (logged once, counted each time)");
        }
    }

    void IWebSocketConnection.Send(bool text, ReadOnlyMemory<byte> payload, byte[]? rented) =>
        Send(text ? WebSocketOpcode.Text : WebSocketOpcode.Binary, payload, rented);

    void IWebSocketConnection.SendCopy(bool text, ReadOnlySpan<byte> payload) => SendCopy(text ? WebSocketOpcode.Text : WebSocketOpcode.Binary, payload);

    internal void SendCopy(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var rented = ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.CopyTo(rented);
        Send(opcode, rented.AsMemory(0, payload.Length), rented);
    }
}
