using System.Buffers;
using System.IO.Pipelines;

namespace Switchyard.Server;

/// <summary>
/// One connection's bounded queue of outgoing frames and the single writer that drains it straight into the
/// transport's <see cref="PipeWriter"/> (on Kestrel, its output buffers: no intermediate copy). A sender whose frame
/// finds the writer idle writes it inline (no thread hop for the common request/response case); frames queued
/// while a flush is in flight go out together in the next flush, and for a client that asked for batching,
/// consecutive JSON messages are packed into one frame. Every frame carries the time it was queued, so the
/// connection can tell how long the oldest frame not yet taken by the socket has waited (<see cref="OldestUnflushed"/>).
/// </summary>
internal sealed class WebSocketSendQueue : IThreadPoolWorkItem
{
    /// <summary>Bytes of frames written before one flush.</summary>
    private const int FlushThreshold = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<OutboundFrame> _frames = new();
    private readonly List<OutboundFrame> _taken = [];
    private TaskCompletionSource? _closeWritten;
    private TaskCompletionSource? _room;
    private bool _closeDone;
    private readonly int _capacity;
    private readonly WebSocketClock _clock;
    private PipeWriter? _transport;
    private CancellationToken _abort;
    private bool _batch;
    private int _maxBatch;
    private bool _writing;
    private bool _pingQueued;
    private bool _pongQueued;
    private bool _completed;
    private bool _failed;

    // While a flush is in flight: when the oldest frame in it was queued.
    private long _inFlightSince = WebSocketClock.None;

    public WebSocketSendQueue(int capacity, WebSocketClock clock)
    {
        _capacity = capacity;
        _clock = clock;
    }

    /// <summary>Gets a task that completes when the close frame was written, or writing failed.</summary>
    public Task CloseWritten
    {
        get
        {
            // Made only when someone waits: an idle connection holds no task for its close.
            lock (_lock)
            {
                return _closeDone ? Task.CompletedTask : (_closeWritten ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

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

    /// <summary>
    /// Gets when the oldest frame not yet taken by the transport was queued: the first frame of a flush still in
    /// flight (Kestrel completes a flush only when its output drains below its pause threshold, so a flush that does
    /// not complete is a client that does not read), else the first frame waiting; <see cref="WebSocketClock.None"/>
    /// when nothing waits.
    /// </summary>
    public long OldestUnflushed
    {
        get
        {
            lock (_lock)
            {
                if (_failed)
                {
                    return WebSocketClock.None;
                }

                if (_inFlightSince != WebSocketClock.None)
                {
                    return _inFlightSince;
                }

                return _frames.TryPeek(out var frame) ? frame.QueuedAt : WebSocketClock.None;
            }
        }
    }

    /// <summary>Attaches the transport once the handshake is done and writes whatever was queued before.</summary>
    public void Start(PipeWriter transport, bool batch, int maxBatch, CancellationToken abort)
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
    public SendQueueOutcome TrySend(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload, byte[]? rented, bool writeInline = true, bool compressed = false)
    {
        bool drain;
        lock (_lock)
        {
            if (_completed || _failed)
            {
                Return(rented);
                return SendQueueOutcome.Closed;
            }

            if (_frames.Count >= _capacity)
            {
                Return(rented);
                return SendQueueOutcome.Full;
            }

            _frames.Enqueue(new OutboundFrame(opcode, payload, rented, _clock.Now(), compressed));
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
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
            }
        }

        return SendQueueOutcome.Queued;
    }

    /// <summary>
    /// Completes when the queue holds fewer frames than its capacity, or is closed: a group send that met this queue
    /// full waits here (bounded by the layer) before it sends again.
    /// </summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_completed || _failed || _frames.Count < _capacity)
            {
                return default;
            }

            return new ValueTask((_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken));
        }
    }

    // Under the lock: whoever waits for room, once there is room (or the queue is done).
    private TaskCompletionSource? TakeRoomWaiter()
    {
        if (_room is null || (!_completed && !_failed && _frames.Count >= _capacity))
        {
            return null;
        }

        var room = _room;
        _room = null;
        return room;
    }

    /// <summary>
    /// Queues a ping or pong regardless of capacity (control frames are tiny and must not wait behind a full queue's
    /// policy). At most one of each waits at a time: a client flooding pings without reading gets one pong for the
    /// latest burst (RFC 6455 §5.5.3 allows answering only the most recent ping), not an ever-growing queue.
    /// </summary>
    /// <param name="opcode">Ping or pong.</param>
    /// <param name="payload">The control frame's payload.</param>
    /// <param name="writeInline">
    /// Whether a sender that finds the writer idle writes the frame itself; the keep-alive heartbeat passes
    /// <see langword="false"/>, so its walk over every connection queues the writes instead of making them under its lock.
    /// </param>
    public void SendControl(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload, bool writeInline = true)
    {
        bool drain;
        lock (_lock)
        {
            if (_completed || _failed)
            {
                return;
            }

            ref var pending = ref opcode == WebSocketOpcode.Pong ? ref _pongQueued : ref _pingQueued;
            if (pending)
            {
                return;
            }

            pending = true;

            _frames.Enqueue(new OutboundFrame(opcode, payload, null, _clock.Now()));
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
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
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
        TaskCompletionSource? room;
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

            _frames.Enqueue(new OutboundFrame(WebSocketOpcode.Close, closePayload, null, _clock.Now()));
            drain = TryBecomeWriter();
            room = TakeRoomWaiter();
        }

        room?.TrySetResult();

        if (drain)
        {
            _ = DrainAsync();
        }

        return dropped;
    }

    /// <summary>
    /// Drops the data frames that have waited at least <paramref name="maxAge"/> at <paramref name="now"/> behind the
    /// flush in flight (a client that asked for <see cref="SlowClientMode.DropMessage"/> and has not taken a frame for the
    /// send timeout); younger frames, pings, pongs and the close frame stay.
    /// </summary>
    /// <returns>How many data frames were dropped.</returns>
    public int DropWaiting(long now, TimeSpan maxAge)
    {
        var dropped = 0;
        TaskCompletionSource? room;
        lock (_lock)
        {
            var count = _frames.Count;
            for (var i = 0; i < count; i++)
            {
                var frame = _frames.Dequeue();
                if (frame.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary && _clock.Elapsed(frame.QueuedAt, now) >= maxAge)
                {
                    dropped++;
                    Return(frame.Rented);
                }
                else
                {
                    _frames.Enqueue(frame);
                }
            }

            room = TakeRoomWaiter();
        }

        room?.TrySetResult();
        return dropped;
    }

    /// <summary>Drops every waiting frame (the transport is gone) and returns how many data frames that was.</summary>
    public int Abandon()
    {
        var dropped = 0;
        TaskCompletionSource? room;
        lock (_lock)
        {
            _failed = true;
            _completed = true;
            room = TakeRoomWaiter();
            if (!_writing)
            {
                while (_frames.TryDequeue(out var frame))
                {
                    dropped += frame.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary ? 1 : 0;
                    Return(frame.Rented);
                }
            }
        }

        room?.TrySetResult();
        SignalCloseWritten();
        return dropped;
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    private void SignalCloseWritten()
    {
        TaskCompletionSource? waiting;
        lock (_lock)
        {
            _closeDone = true;
            waiting = _closeWritten;
        }

        waiting?.TrySetResult();
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
        TaskCompletionSource? room = null;
        try
        {
            while (true)
            {
                int bytes;
                lock (_lock)
                {
                    _inFlightSince = WebSocketClock.None;
                    if (_failed || _frames.Count == 0)
                    {
                        _writing = false;
                        DropAllWhenFailed();
                        room = TakeRoomWaiter();
                        break;
                    }

                    bytes = TakeFrames();
                    room = TakeRoomWaiter();
                }

                room?.TrySetResult();

                closeWritten |= await WriteTakenAsync(bytes).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                Failure = ex;
                _failed = true;
                _inFlightSince = WebSocketClock.None;
                _writing = false;
                DropAllWhenFailed();
                room = TakeRoomWaiter();
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

        room?.TrySetResult();
        if (closeWritten || _failed)
        {
            SignalCloseWritten();
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

    // Takes the frames for one flush (at least one); under the lock.
    private int TakeFrames()
    {
        var bytes = 0;
        while (_frames.TryPeek(out var frame))
        {
            var size = WebSocketFrameWriter.GetHeaderLength(frame.Payload.Length) + frame.Payload.Length;
            if (_taken.Count > 0 && bytes + size > FlushThreshold)
            {
                break;
            }

            _frames.Dequeue();
            if (_taken.Count == 0)
            {
                _inFlightSince = frame.QueuedAt;
            }

            _taken.Add(frame);
            bytes += size;
            _pingQueued &= frame.Opcode != WebSocketOpcode.Ping;
            _pongQueued &= frame.Opcode != WebSocketOpcode.Pong;
        }

        return bytes;
    }

    // Writes the taken frames into the transport and flushes once; returns whether the close frame was among them.
    private async ValueTask<bool> WriteTakenAsync(int bytes)
    {
        var transport = _transport!;
        if (_batch)
        {
            EncodeBatched(transport);
        }
        else
        {
            foreach (var frame in _taken)
            {
                WriteFrame(transport, frame);
            }
        }

        var closeWritten = false;
        foreach (var frame in _taken)
        {
            closeWritten |= frame.Opcode == WebSocketOpcode.Close;
            Return(frame.Rented);
        }

        _taken.Clear();
        var flushed = await transport.FlushAsync(_abort).ConfigureAwait(false);
        if (flushed.IsCanceled || flushed.IsCompleted)
        {
            throw new IOException($"The connection stopped taking data ({bytes} bytes were being written).");
        }

        return closeWritten;
    }

    // Packs runs of text frames into one frame, separated by '\n'; never larger than the frames it replaces. A compressed
    // message (permessage-deflate) is a frame of its own.
    private void EncodeBatched(PipeWriter transport)
    {
        var i = 0;
        while (i < _taken.Count)
        {
            var frame = _taken[i];
            var end = i + 1;
            var length = frame.Payload.Length;
            if (frame is { Opcode: WebSocketOpcode.Text, Compressed: false })
            {
                while (end < _taken.Count && _taken[end] is { Opcode: WebSocketOpcode.Text, Compressed: false } && length + 1 + _taken[end].Payload.Length <= _maxBatch)
                {
                    length += 1 + _taken[end].Payload.Length;
                    end++;
                }
            }

            if (end == i + 1)
            {
                WriteFrame(transport, frame);
            }
            else
            {
                var header = transport.GetSpan(WebSocketFrameHeader.MaxLength);
                transport.Advance(WebSocketFrameWriter.WriteHeader(header, WebSocketOpcode.Text, length));
                for (var j = i; j < end; j++)
                {
                    if (j > i)
                    {
                        transport.GetSpan(1)[0] = (byte)'\n';
                        transport.Advance(1);
                    }

                    transport.Write(_taken[j].Payload.Span);
                }
            }

            i = end;
        }
    }

    private static void WriteFrame(PipeWriter transport, in OutboundFrame frame)
    {
        var opcode = frame.Opcode;
        var payload = frame.Payload.Span;
        var compressed = frame.Compressed;
        var headerLength = WebSocketFrameWriter.GetHeaderLength(payload.Length);
        if (payload.Length <= 4096)
        {
            // Header and payload in one span of the transport's buffer.
            var span = transport.GetSpan(headerLength + payload.Length);
            WebSocketFrameWriter.WriteHeader(span, opcode, payload.Length, compressed);
            payload.CopyTo(span[headerLength..]);
            transport.Advance(headerLength + payload.Length);
            return;
        }

        transport.Advance(WebSocketFrameWriter.WriteHeader(transport.GetSpan(WebSocketFrameHeader.MaxLength), opcode, payload.Length, compressed));
        transport.Write(payload);
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private readonly record struct OutboundFrame(WebSocketOpcode Opcode, ReadOnlyMemory<byte> Payload, byte[]? Rented, long QueuedAt, bool Compressed = false);
}
