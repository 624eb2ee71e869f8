using System.Buffers;
using Switchyard.WebSockets.Protocol;

namespace Switchyard.WebSockets;

/// <summary>
/// One connection's bounded queue of outgoing frames and the single writer that drains it. A sender whose frame
/// finds the writer idle writes it inline (no thread hop for the common request/response case); frames queued
/// while a write is in flight are coalesced into one transport write, and for a client that asked for batching,
/// consecutive JSON messages are packed into one frame.
/// </summary>
internal sealed class WebSocketSendQueue
{
    /// <summary>Bytes gathered into one transport write.</summary>
    private const int WriteBufferSize = 16 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<OutboundFrame> _frames = new();
    private readonly List<OutboundFrame> _taken = [];
    private readonly TaskCompletionSource _closeWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _capacity;
    private Stream? _transport;
    private CancellationToken _abort;
    private bool _batch;
    private int _maxBatch;
    private bool _writing;
    private bool _completed;
    private bool _failed;

    public WebSocketSendQueue(int capacity) => _capacity = capacity;

    /// <summary>Gets a task that completes when the close frame was written, or writing failed.</summary>
    public Task CloseWritten => _closeWritten.Task;

    /// <summary>Gets the exception that ended writing, if one did.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Gets whether no more data frames are accepted: a close frame is queued or writing failed.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed || _failed;
            }
        }
    }

    /// <summary>Attaches the transport once the handshake is done and writes whatever was queued before.</summary>
    public void Start(Stream transport, bool batch, int maxBatch, CancellationToken abort)
    {
        bool drain;
        lock (_lock)
        {
            _transport = transport;
            _batch = batch;
            _maxBatch = maxBatch;
            _abort = abort;
            drain = TryBecomeWriter();
        }

        if (drain)
        {
            _ = DrainAsync();
        }
    }

    /// <summary>
    /// Queues a data frame. <paramref name="rented"/>, when given, goes back to the pool once written or dropped.
    /// With <paramref name="writeInline"/> a sender that finds the writer idle writes the frame itself (a reply: no
    /// thread hop); without it the writer is started on the thread pool, so a burst (a group broadcast) queues up
    /// behind it and goes out in a few large writes instead of one write per message.
    /// </summary>
    public SendOutcome TrySend(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload, byte[]? rented, bool writeInline = true)
    {
        bool drain;
        lock (_lock)
        {
            if (_completed || _failed)
            {
                Return(rented);
                return SendOutcome.Closed;
            }

            if (_frames.Count >= _capacity)
            {
                Return(rented);
                return SendOutcome.Full;
            }

            _frames.Enqueue(new OutboundFrame(opcode, payload, rented));
            drain = TryBecomeWriter();
        }

        if (drain)
        {
            if (writeInline)
            {
                _ = DrainAsync();
            }
            else
            {
                ThreadPool.UnsafeQueueUserWorkItem(static queue => _ = queue.DrainAsync(), this, preferLocal: false);
            }
        }

        return SendOutcome.Queued;
    }

    /// <summary>Queues a ping or pong regardless of capacity (control frames are tiny and must not wait behind a full queue's policy).</summary>
    public void SendControl(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload)
    {
        bool drain;
        lock (_lock)
        {
            if (_completed || _failed)
            {
                return;
            }

            _frames.Enqueue(new OutboundFrame(opcode, payload, null));
            drain = TryBecomeWriter();
        }

        if (drain)
        {
            _ = DrainAsync();
        }
    }

    /// <summary>
    /// Queues the close frame as the last frame. With <paramref name="discardPending"/> the frames still waiting are
    /// dropped first (a slow client would never read them in time).
    /// </summary>
    /// <returns>How many waiting frames were dropped, or -1 when a close was already queued.</returns>
    public int Close(byte[] closePayload, bool discardPending)
    {
        var dropped = 0;
        bool drain;
        lock (_lock)
        {
            if (_completed)
            {
                return -1;
            }

            _completed = true;
            if (_failed)
            {
                return 0;
            }

            if (discardPending)
            {
                while (_frames.TryDequeue(out var frame))
                {
                    dropped += frame.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary ? 1 : 0;
                    Return(frame.Rented);
                }
            }

            _frames.Enqueue(new OutboundFrame(WebSocketOpcode.Close, closePayload, null));
            drain = TryBecomeWriter();
        }

        if (drain)
        {
            _ = DrainAsync();
        }

        return dropped;
    }

    /// <summary>Drops every waiting frame (the transport is gone) and returns how many data frames that was.</summary>
    public int Abandon()
    {
        var dropped = 0;
        lock (_lock)
        {
            _failed = true;
            _completed = true;
            if (!_writing)
            {
                while (_frames.TryDequeue(out var frame))
                {
                    dropped += frame.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary ? 1 : 0;
                    Return(frame.Rented);
                }
            }
        }

        _closeWritten.TrySetResult();
        return dropped;
    }

    private bool TryBecomeWriter()
    {
        if (_writing || _transport is null || _failed || _frames.Count == 0)
        {
            return false;
        }

        _writing = true;
        return true;
    }

    private async Task DrainAsync()
    {
        var closeWritten = false;
        try
        {
            while (true)
            {
                int bytes;
                lock (_lock)
                {
                    if (_failed || _frames.Count == 0)
                    {
                        _writing = false;
                        DropAllWhenFailed();
                        break;
                    }

                    bytes = TakeFrames();
                }

                closeWritten |= await WriteTakenAsync(bytes).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                Failure = ex;
                _failed = true;
                _writing = false;
                DropAllWhenFailed();
            }
        }
        finally
        {
            foreach (var frame in _taken)
            {
                Return(frame.Rented);
            }

            _taken.Clear();
        }

        if (closeWritten || _failed)
        {
            _closeWritten.TrySetResult();
        }
    }

    private void DropAllWhenFailed()
    {
        if (!_failed)
        {
            return;
        }

        while (_frames.TryDequeue(out var frame))
        {
            Return(frame.Rented);
        }
    }

    // Takes the frames for one transport write (at least one); under the lock.
    private int TakeFrames()
    {
        var bytes = 0;
        while (_frames.TryPeek(out var frame))
        {
            var size = WebSocketFrameWriter.GetHeaderLength(frame.Payload.Length) + frame.Payload.Length;
            if (_taken.Count > 0 && bytes + size > WriteBufferSize)
            {
                break;
            }

            _frames.Dequeue();
            _taken.Add(frame);
            bytes += size;
        }

        return bytes;
    }

    // Writes the taken frames; returns whether the close frame was among them.
    private async ValueTask<bool> WriteTakenAsync(int bytes)
    {
        var transport = _transport!;
        var closeWritten = false;
        if (_taken.Count == 1 && bytes > WriteBufferSize)
        {
            // One large frame: header, then the payload straight from where it is.
            var frame = _taken[0];
            var header = ArrayPool<byte>.Shared.Rent(WebSocketFrameHeader.MaxLength);
            try
            {
                var length = WebSocketFrameWriter.WriteHeader(header, frame.Opcode, frame.Payload.Length);
                await transport.WriteAsync(header.AsMemory(0, length), _abort).ConfigureAwait(false);
                await transport.WriteAsync(frame.Payload, _abort).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(header);
            }
        }
        else
        {
            var buffer = ArrayPool<byte>.Shared.Rent(bytes);
            try
            {
                var written = _batch ? EncodeBatched(buffer) : Encode(buffer);
                await transport.WriteAsync(buffer.AsMemory(0, written), _abort).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        foreach (var frame in _taken)
        {
            closeWritten |= frame.Opcode == WebSocketOpcode.Close;
            Return(frame.Rented);
        }

        _taken.Clear();
        return closeWritten;
    }

    private int Encode(Span<byte> buffer)
    {
        var written = 0;
        foreach (var frame in _taken)
        {
            written += WriteFrame(buffer[written..], frame.Opcode, frame.Payload.Span);
        }

        return written;
    }

    // Packs runs of text frames into one frame, separated by '\n'; never larger than the frames it replaces.
    private int EncodeBatched(Span<byte> buffer)
    {
        var written = 0;
        var i = 0;
        while (i < _taken.Count)
        {
            var frame = _taken[i];
            var end = i + 1;
            var length = frame.Payload.Length;
            if (frame.Opcode == WebSocketOpcode.Text)
            {
                while (end < _taken.Count && _taken[end].Opcode == WebSocketOpcode.Text && length + 1 + _taken[end].Payload.Length <= _maxBatch)
                {
                    length += 1 + _taken[end].Payload.Length;
                    end++;
                }
            }

            if (end == i + 1)
            {
                written += WriteFrame(buffer[written..], frame.Opcode, frame.Payload.Span);
            }
            else
            {
                written += WebSocketFrameWriter.WriteHeader(buffer[written..], WebSocketOpcode.Text, length);
                for (var j = i; j < end; j++)
                {
                    if (j > i)
                    {
                        buffer[written++] = (byte)'\n';
                    }

                    _taken[j].Payload.Span.CopyTo(buffer[written..]);
                    written += _taken[j].Payload.Length;
                }
            }

            i = end;
        }

        return written;
    }

    private static int WriteFrame(Span<byte> destination, WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var header = WebSocketFrameWriter.WriteHeader(destination, opcode, payload.Length);
        payload.CopyTo(destination[header..]);
        return header + payload.Length;
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private readonly record struct OutboundFrame(WebSocketOpcode Opcode, ReadOnlyMemory<byte> Payload, byte[]? Rented);
}

/// <summary>What became of a frame handed to <see cref="WebSocketSendQueue.TrySend"/>.</summary>
internal enum SendOutcome
{
    Queued,
    Full,
    Closed,
}
