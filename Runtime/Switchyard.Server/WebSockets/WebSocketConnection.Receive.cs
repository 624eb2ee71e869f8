using System.Buffers;
using System.IO.Pipelines;

namespace Switchyard.Server;

/// <summary>
/// The receive side: the read loop over the frame reader, the close handshake's client half, and the delivery of
/// client messages to the consumer in order (with read-ahead while it waits on its client).
/// </summary>
internal sealed partial class WebSocketConnection
{
    // Returns the close code for OnDisconnectAsync: the client's, or ours when we failed the connection, or 1006.
    private async Task<int> ReceiveLoopAsync(PipeReader reader)
    {
        var token = _readAbort.Token;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (result.IsCanceled && Volatile.Read(ref _receiveFailCode) is var limitCode and not 0)
                {
                    reader.AdvanceTo(buffer.Start);
                    return FailReceive(limitCode, _receiveFailReason!);
                }

                var readAt = _clock.Now();
                if (!buffer.IsEmpty)
                {
                    Volatile.Write(ref _lastReceived, readAt);
                }

                var advanced = false;
                while (!advanced)
                {
                    switch (_reader.Read(ref buffer, out var control))
                    {
                        case WebSocketFrameStep.NeedMoreData:
                            reader.AdvanceTo(buffer.Start, buffer.End);
                            advanced = true;
                            if (result.IsCompleted || result.IsCanceled)
                            {
                                return WebSocketCloseCodes.AbnormalClosure;
                            }

                            TrackIncompleteMessage(!buffer.IsEmpty, readAt);
                            break;

                        case WebSocketFrameStep.FrameDone:
                            break;

                        case WebSocketFrameStep.Control:
                            if (control.Opcode == WebSocketOpcode.Ping)
                            {
                                _sendQueue.SendControl(WebSocketOpcode.Pong, control.Payload);
                            }
                            else if (control.Opcode == WebSocketOpcode.Close)
                            {
                                reader.AdvanceTo(buffer.Start);
                                return OnCloseFrame(control.Payload);
                            }

                            break;

                        case WebSocketFrameStep.Message:
                            reader.AdvanceTo(buffer.Start);
                            advanced = true;

                            // The client finished its message; the consumer's time handling it is not the client's.
                            Volatile.Write(ref _messageStarted, WebSocketClock.None);
                            await DeliverMessageAsync().ConfigureAwait(false);
                            break;

                        default:
                            reader.AdvanceTo(buffer.End);
                            return FailReceive(_reader.FailCode, _reader.FailReason!);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return WebSocketCloseCodes.AbnormalClosure;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The transport broke (connection reset, request aborted).
            return WebSocketCloseCodes.AbnormalClosure;
        }
    }

    // Closes the connection for what the client sent (or did not finish sending); returns the close code.
    private int FailReceive(int code, string reason)
    {
        CloseForBadInput(code, reason);
        return code;
    }

    // After a read that ended mid-message (bytes of an unfinished frame left, or fragments still to come): the
    // message's clock starts with the read that brought its first byte, and stops when a read ends on a message boundary.
    private void TrackIncompleteMessage(bool leftover, long readAt)
    {
        if (!leftover && !_reader.InMessage)
        {
            Volatile.Write(ref _messageStarted, WebSocketClock.None);
        }
        else if (Volatile.Read(ref _messageStarted) == WebSocketClock.None)
        {
            Volatile.Write(ref _messageStarted, readAt);
        }
    }

    private int OnCloseFrame(ReadOnlyMemory<byte> payload)
    {
        var error = WebSocketCloseFrame.TryParse(payload.Span, out var code, out _);
        if (error != 0)
        {
            CloseForBadInput(error, "invalid close frame");
            return error;
        }

        if (Volatile.Read(ref _closeSent) == 0)
        {
            // The client started the close: echo its code (an empty close frame when it sent none) and finish.
            if (Interlocked.CompareExchange(ref _closeSent, code, 0) == 0)
            {
                _sendQueue.Close(code == WebSocketCloseCodes.NoStatusReceived ? [] : payload[..2].ToArray(), discardPending: false);
            }
        }

        return code;
    }

    // One client message at a time reaches the consumer, in order. While one is handled the loop reads on, so an
    // answer to the server's own call to the client ($re, see ClientCalls) is taken at once: a handler awaiting its
    // client does not wait on itself. The next message waits for the one before it, holding the loop (backpressure),
    // except while the consumer waits on its client: then messages queue behind the handler, up to MaxReadAhead
    // messages and MaxMessageSize bytes, so the answer behind them can still be read.
    private async ValueTask DeliverMessageAsync()
    {
        var message = _reader.TakeMessage(out var rented);
        _metrics.Received();
        if (_consumer.TryTakeAnswer(message))
        {
            ReturnRented(rented);
            return;
        }

        while (_delivering is { IsCompleted: false } tail)
        {
            var calls = _consumer.ClientCallsWaiting();
            if (calls is { Waiting: true } && Volatile.Read(ref _readAhead) < MaxReadAhead
                && Volatile.Read(ref _readAheadBytes) + message.Data.Length <= _options.MaxMessageSize)
            {
                Interlocked.Increment(ref _readAhead);
                Interlocked.Add(ref _readAheadBytes, message.Data.Length);
                _delivering = DeliverAfterAsync(tail, message, rented);
                return;
            }

            await (calls is { } waiting && !waiting.Waiting ? Task.WhenAny(tail, waiting.WhenWaiting) : tail).ConfigureAwait(false);
        }

        _delivering = null;
        var delivering = RunReceiveAsync(message, rented);
        if (!delivering.IsCompleted)
        {
            _delivering = delivering.AsTask();
        }
        else
        {
            await delivering.ConfigureAwait(false);
        }
    }

    private async Task DeliverAfterAsync(Task previous, WebSocketMessage message, byte[]? rented)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch
        {
            ReturnRented(rented);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _readAhead);
            Interlocked.Add(ref _readAheadBytes, -message.Data.Length);
        }

        await RunReceiveAsync(message, rented).ConfigureAwait(false);
    }

    // Waits for the message still being handled when the loop ends (the client closed or dropped meanwhile).
    private async ValueTask DrainDeliveryAsync()
    {
        if (_delivering is { } previous)
        {
            _delivering = null;
            await previous.ConfigureAwait(false);
        }
    }

    private async ValueTask RunReceiveAsync(WebSocketMessage message, byte[]? rented)
    {
        try
        {
            if (Volatile.Read(ref _closeSent) == 0)
            {
                await _runner.RunEventAsync((this, message), static (s, ct) => s.Item1.ReceiveAsync(s.Item2, ct), "websocket.receive").ConfigureAwait(false);
            }
        }
        finally
        {
            ReturnRented(rented);
        }
    }

    private static void ReturnRented(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // A client's message whose handler met a full channel (a worker's named channel that is not keeping up) is refused,
    // not a fault: the connection stays open, and the consumer's OnChannelFullAsync decides what the client hears. The
    // layer has logged the full channel; this adds a Debug line for the connection.
    private ValueTask ReceiveAsync(WebSocketMessage message, CancellationToken cancellationToken)
    {
        ValueTask handling;
        try
        {
            handling = _consumer.ReceiveAsync(message, cancellationToken);
        }
        catch (ChannelFullException ex)
        {
            return OnChannelFullAsync(ex, cancellationToken);
        }

        if (handling.IsCompletedSuccessfully)
        {
            // Consumed, so a pooled source behind the ValueTask is released.
            handling.GetAwaiter().GetResult();
            return default;
        }

        return AwaitReceiveAsync(handling, cancellationToken);
    }

    private async ValueTask AwaitReceiveAsync(ValueTask handling, CancellationToken cancellationToken)
    {
        try
        {
            await handling.ConfigureAwait(false);
        }
        catch (ChannelFullException ex)
        {
            await OnChannelFullAsync(ex, cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask OnChannelFullAsync(ChannelFullException exception, CancellationToken cancellationToken)
    {
        WebSocketLog.ClientMessageRefused(_logger, Scope.Path, Scope.ChannelName, exception.Channel);
        return _consumer.ChannelFullAsync(exception, cancellationToken);
    }
}
