using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>
/// One end of the layer-host protocol over a pair of byte streams (the child's standard input and output): length-prefixed
/// frames, concurrent calls told apart by id, cancels and one-way posts, in both directions.
/// </summary>
/// <remarks>
/// <para>Reading and writing run on two dedicated threads with blocking I/O, so neither depends on the thread pool: the host's
/// forwarder relay blocks pool threads on round trips (a forwarder's <c>Forward</c> is synchronous), and the answers must
/// still get in.</para>
/// <para>Frames are written in the order they are queued. Both ends rely on it: a measurement the host's layer recorded
/// while it served a call is queued before that call's answer, so the parent has counted it when the call returns.</para>
/// </remarks>
internal sealed class FrameConnection
{
    /// <summary>The largest frame either end accepts: a maximal message (the layers' limit is configurable) plus headers.</summary>
    public const int MaxFrameSize = 256 * 1024 * 1024;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly IFrameHandler _handler;
    private readonly string _peer;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, PendingCall> _pending = [];
    private readonly BlockingCollection<byte[]> _outgoing = new(new ConcurrentQueue<byte[]>());
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _readerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private Func<Operation, Exception>? _terminated;
    private bool _outputClosed;

    /// <param name="input">What the other end writes.</param>
    /// <param name="output">Where this end writes.</param>
    /// <param name="handler">Handles what the other end starts.</param>
    /// <param name="peer">Names the other end in error messages ("layer host", "parent").</param>
    public FrameConnection(Stream input, Stream output, IFrameHandler handler, string peer)
    {
        _input = input;
        _output = output;
        _handler = handler;
        _peer = peer;
    }

    /// <summary>Gets a task that completes when the reader thread has stopped.</summary>
    public Task ReaderDone => _readerDone.Task;

    /// <summary>Gets a task that completes when the writer thread has written (or failed to write) everything and stopped.</summary>
    public Task WriterDone => _writerDone.Task;

    /// <summary>Starts the reader and writer threads.</summary>
    public void Start(string name)
    {
        new Thread(ReadLoop) { IsBackground = true, Name = name + " reader" }.Start();
        new Thread(WriteLoop) { IsBackground = true, Name = name + " writer" }.Start();
    }

    /// <summary>
    /// Calls the other end and returns its answer. When <paramref name="cancellationToken"/> fires, the other end is asked
    /// to cancel, and the call still ends with its answer (a result if the other end finished first), unless
    /// <paramref name="abandonOnCancel"/>: then it ends at once as cancelled and a late answer is ignored.
    /// </summary>
    /// <exception cref="Exception">The connection has ended: the exception <see cref="Terminate"/> gave for this operation.</exception>
    public Task<FrameReader> CallAsync(Operation operation, Action<FrameWriter>? body, CancellationToken cancellationToken, bool abandonOnCancel = false)
    {
        var id = Interlocked.Increment(ref _nextId);
        var frame = new FrameWriter(FrameKind.Call, id, operation);
        body?.Invoke(frame);
        var pending = new PendingCall(operation, cancellationToken);
        lock (_lock)
        {
            if (_terminated is { } terminated)
            {
                return Task.FromException<FrameReader>(terminated(operation));
            }

            _pending.Add(id, pending);
        }

        if (!Enqueue(frame.ToFrame()))
        {
            // The output has stopped: the reader's end of input follows and fails the call through Terminate.
            return pending.Answer.Task;
        }

        if (cancellationToken.CanBeCanceled)
        {
            pending.Registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (connection, id, abandon) = ((FrameConnection, long, bool))state!;
                    connection.CancelCall(id, abandon, token);
                },
                (this, id, abandonOnCancel));
        }

        return pending.Answer.Task;
    }

    /// <summary>Sends a one-way notice. Ignored once the output has stopped.</summary>
    public void Post(Operation operation, Action<FrameWriter>? body)
    {
        var frame = new FrameWriter(FrameKind.Post, 0, operation);
        body?.Invoke(frame);
        Enqueue(frame.ToFrame());
    }

    /// <summary>Answers the other end's call <paramref name="id"/>.</summary>
    public void Answer(long id, Operation operation, Action<FrameWriter>? body)
    {
        var frame = new FrameWriter(FrameKind.Result, id, operation);
        body?.Invoke(frame);
        Enqueue(frame.ToFrame());
    }

    /// <summary>Answers the other end's call <paramref name="id"/> with a failure.</summary>
    public void AnswerError(long id, Operation operation, Exception exception)
    {
        var frame = new FrameWriter(FrameKind.Error, id, operation);
        frame.WriteException(exception);
        Enqueue(frame.ToFrame());
    }

    /// <summary>Stops the writer once it has written what is queued, and closes the output (the other end then reads its end).</summary>
    public void CompleteOutput()
    {
        lock (_lock)
        {
            if (_outputClosed)
            {
                return;
            }

            _outputClosed = true;
        }

        _outgoing.CompleteAdding();
    }

    /// <summary>
    /// Ends the connection for calls: every pending call and every later one fails with what <paramref name="failure"/>
    /// makes for its operation. Idempotent: the first failure stays.
    /// </summary>
    public void Terminate(Func<Operation, Exception> failure)
    {
        List<PendingCall> pending;
        lock (_lock)
        {
            if (_terminated is not null)
            {
                return;
            }

            _terminated = failure;
            pending = [.. _pending.Values];
            _pending.Clear();
        }

        foreach (var call in pending)
        {
            call.Registration.Unregister();
            call.Answer.TrySetException(failure(call.Operation));
        }

        CompleteOutput();
    }

    private void CancelCall(long id, bool abandon, CancellationToken token)
    {
        if (abandon)
        {
            PendingCall? call;
            lock (_lock)
            {
                if (_pending.Remove(id, out call))
                {
                    call.Answer.TrySetCanceled(token);
                }
            }
        }

        lock (_lock)
        {
            if (!abandon && !_pending.ContainsKey(id))
            {
                return;
            }
        }

        Enqueue(new FrameWriter(FrameKind.Cancel, id, 0).ToFrame());
    }

    private bool Enqueue(byte[] frame)
    {
        lock (_lock)
        {
            if (_outputClosed)
            {
                return false;
            }

            _outgoing.Add(frame);
            return true;
        }
    }

    private void WriteLoop()
    {
        try
        {
            foreach (var frame in _outgoing.GetConsumingEnumerable())
            {
                _output.Write(frame);
                if (_outgoing.Count == 0)
                {
                    _output.Flush();
                }
            }

            _output.Flush();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The other end has gone; the reader sees its end of input and reports it.
            lock (_lock)
            {
                _outputClosed = true;
            }
        }
        finally
        {
            try
            {
                _output.Dispose();
            }
            catch (IOException)
            {
                // Closing a pipe whose reader has gone.
            }

            _writerDone.TrySetResult();
        }
    }

    private void ReadLoop()
    {
        Exception? error = null;
        var header = new byte[4];
        try
        {
            while (true)
            {
                var read = _input.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
                if (read == 0)
                {
                    break;
                }

                if (read < header.Length)
                {
                    throw new InvalidDataException($"The {_peer}'s output ended inside a frame header.");
                }

                var length = BinaryPrimitives.ReadInt32LittleEndian(header);
                if (length < FrameWriter.HeaderSize - 4 || length > MaxFrameSize)
                {
                    throw new InvalidDataException($"The {_peer} sent a frame of {length} bytes, outside the protocol's 10 to {MaxFrameSize}.");
                }

                var frame = new byte[length];
                _input.ReadExactly(frame);
                Dispatch(new FrameReader(frame));
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            try
            {
                _handler.OnInputEnded(error);
            }
            finally
            {
                _readerDone.TrySetResult();
            }
        }
    }

    private void Dispatch(FrameReader frame)
    {
        switch (frame.Kind)
        {
            case FrameKind.Result:
            case FrameKind.Error:
                PendingCall? call;
                lock (_lock)
                {
                    _pending.Remove(frame.Id, out call);
                }

                if (call is null)
                {
                    // Abandoned by a cancel (or failed by Terminate): nobody waits for this answer.
                    return;
                }

                call.Registration.Unregister();
                if (frame.Kind == FrameKind.Result)
                {
                    call.Answer.TrySetResult(frame);
                }
                else
                {
                    var exception = frame.ReadException(call.CancellationToken, _peer);
                    if (exception is OperationCanceledException && call.CancellationToken.IsCancellationRequested)
                    {
                        call.Answer.TrySetCanceled(call.CancellationToken);
                    }
                    else
                    {
                        call.Answer.TrySetException(exception);
                    }
                }

                break;
            case FrameKind.Call:
                _handler.OnCall(frame);
                break;
            case FrameKind.Cancel:
                _handler.OnCancel(frame.Id);
                break;
            case FrameKind.Post:
                _handler.OnPost(frame);
                break;
            default:
                throw new InvalidDataException($"The {_peer} sent a frame of unknown kind {(byte)frame.Kind}.");
        }
    }

    private sealed class PendingCall(Operation operation, CancellationToken cancellationToken)
    {
        public Operation Operation { get; } = operation;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        // Continuations run on the pool, never on the reader thread.
        public TaskCompletionSource<FrameReader> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
