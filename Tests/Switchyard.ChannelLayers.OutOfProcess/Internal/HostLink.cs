using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>
/// In the parent: the connection to one layer host. It stamps every call with the parent's clock, serves the host's
/// calls (forwarder offers and waits for room), records the host's measurements, and turns the end of the host into
/// exceptions: <see cref="ChannelLayerClosedException"/> after a close, a <see cref="LayerHostException"/> quoting the
/// host's standard error when it died.
/// </summary>
internal sealed class HostLink : IFrameHandler
{
    private const int CachedMessages = 1024;
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(30);

    private readonly HostProcess _host;
    private readonly TimeProvider _time;
    private readonly FrameConnection _connection;
    private readonly MetricSink _metrics;
    private readonly ConcurrentDictionary<long, IChannelForwarder> _forwarders = new();
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _roomWaits = new();

    // The host's message instances by id (see RemoteForwarder); the reader thread alone uses them.
    private readonly Dictionary<long, ChannelMessage> _messages = [];
    private readonly Queue<long> _messageOrder = new();
    private long _nextAttachment;
    private volatile bool _closing;
    private volatile LayerHostException? _crash;

    public HostLink(HostProcess host, TimeProvider time, IMeterFactory? meterFactory)
    {
        _host = host;
        _time = time;
        _metrics = new MetricSink(meterFactory);
        _connection = new FrameConnection(host.Output, host.Input, this, $"layer host (process {host.Id})");
    }

    /// <summary>Raised on the reader thread when the host's layer reports a connection change, or when the host died.</summary>
    public event Action<bool, Exception?>? ConnectionChanged;

    public int ProcessId => _host.Id;

    /// <summary>Gets the layer's name once created (used in the closed exception's message).</summary>
    public string LayerName { get; private set; } = "out-of-process";

    /// <summary>Gets why the host is gone, when it died.</summary>
    public LayerHostException? Crash => _crash;

    public void Start() => _connection.Start($"layer host {_host.Id}");

    /// <summary>Creates the host's layer.</summary>
    public async Task<(string Name, ChannelLayerCapabilities Capabilities, bool IsConnected)> CreateAsync(
        ChannelLayerOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        FrameReader answer;
        try
        {
            answer = await CallAsync(Operation.Create, frame => frame.WriteOptions(options), CancellationToken.None).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LayerHostException(
                $"The layer host (process {_host.Id}, {_host.Command}) did not create its layer within {timeout.TotalSeconds} s. The last lines of its standard error:\n{_host.ErrorTail}");
        }

        LayerName = answer.ReadString();
        return (LayerName, (ChannelLayerCapabilities)answer.ReadInt32(), answer.ReadBoolean());
    }

    /// <summary>Calls the host, stamped with the parent's clock; cancellation asks the host to cancel and still waits for its answer.</summary>
    public Task<FrameReader> CallAsync(Operation operation, Action<FrameWriter>? body, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        return _connection.CallAsync(
            operation,
            frame =>
            {
                frame.WriteInt64(now);
                body?.Invoke(frame);
            },
            cancellationToken);
    }

    /// <summary>Tells the host the parent's clock moved (a test advanced it without calling the layer).</summary>
    public void PostTime()
    {
        var now = _time.GetUtcNow().UtcTicks;
        _connection.Post(Operation.Time, frame => frame.WriteInt64(now));
    }

    /// <summary>Attaches <paramref name="forwarder"/> to <paramref name="channel"/> in the host; returns when the host has it.</summary>
    public IDisposable Attach(string channel, IChannelForwarder forwarder)
    {
        var id = Interlocked.Increment(ref _nextAttachment);
        _forwarders[id] = forwarder;
        var answer = CallAsync(
            Operation.Attach,
            frame =>
            {
                frame.WriteString(channel);
                frame.WriteInt64(id);
            },
            CancellationToken.None);
        try
        {
            // AttachForwarder is synchronous; the answer comes in on the connection's own reader thread.
            if (!answer.Wait(AttachTimeout))
            {
                throw new LayerHostException($"The layer host (process {_host.Id}) did not attach a forwarder within {AttachTimeout.TotalSeconds} s.");
            }
        }
        catch (AggregateException ex) when (ex.InnerException is { } inner)
        {
            _forwarders.TryRemove(id, out _);
            ExceptionDispatchInfo.Capture(inner).Throw();
        }

        return new Attachment(this, id);
    }

    /// <summary>
    /// Closes the host's layer, ends the host's input and waits for it to exit. Throws a <see cref="LayerHostException"/>
    /// when it does not exit with 0 within <paramref name="timeout"/> (it is killed then). After a crash it only cleans up:
    /// the crash was reported to the calls it failed.
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        _closing = true;
        if (_crash is not null)
        {
            _connection.Terminate(Closed);
            _host.Dispose();
            return;
        }

        Exception? failure = null;
        try
        {
            await CallAsync(Operation.Close, null, CancellationToken.None).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            failure = new LayerHostException($"The layer host (process {_host.Id}) did not close its {LayerName} layer within {timeout.TotalSeconds} s. The last lines of its standard error:\n{_host.ErrorTail}");
        }
        catch (ChannelLayerException ex)
        {
            failure = ex;
        }

        _connection.CompleteOutput();
        var exited = await _host.WaitForExitAsync(timeout).ConfigureAwait(false);
        _connection.Terminate(Closed);
        foreach (var wait in _roomWaits.Values)
        {
            wait.Cancel();
        }

        if (!exited)
        {
            failure ??= new LayerHostException($"The layer host (process {_host.Id}) did not exit within {timeout.TotalSeconds} s of the end of its input; it was killed. The last lines of its standard error:\n{_host.ErrorTail}");
        }
        else if (_host.ExitCode != 0)
        {
            failure ??= new LayerHostException($"The layer host (process {_host.Id}) exited with code {_host.ExitCode} after closing its {LayerName} layer. The last lines of its standard error:\n{_host.ErrorTail}");
        }

        _host.Dispose();
        if (failure is not null && failure is not ChannelLayerClosedException)
        {
            throw failure;
        }
    }

    /// <summary>Kills the host (a layer that failed to start).</summary>
    public void Abort()
    {
        _closing = true;
        _connection.Terminate(Closed);
        _host.Dispose();
    }

    public void OnCall(FrameReader call)
    {
        try
        {
            switch (call.Operation)
            {
                case Operation.Forward:
                    Forward(call);
                    break;
                case Operation.WaitForRoom:
                    WaitForRoom(call);
                    break;
                default:
                    throw new InvalidDataException($"The layer host called {call.Operation}, which the parent does not serve.");
            }
        }
        catch (Exception ex)
        {
            _connection.AnswerError(call.Id, call.Operation, ex);
        }
    }

    public void OnCancel(long id)
    {
        if (_roomWaits.TryGetValue(id, out var wait))
        {
            try
            {
                wait.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The wait ended meanwhile.
            }
        }
    }

    public void OnPost(FrameReader post)
    {
        switch (post.Operation)
        {
            case Operation.Measurement:
                _metrics.Record(post);
                break;
            case Operation.ConnectionChanged:
                var connected = post.ReadBoolean();
                var error = post.ReadNullableString();
                ConnectionChanged?.Invoke(connected, error is null ? null : new ChannelLayerException(error));
                break;
            default:
                throw new InvalidDataException($"The layer host posted {post.Operation}, which the parent does not take.");
        }
    }

    public void OnInputEnded(Exception? error) => _ = Task.Run(async () =>
    {
        // Let the host finish exiting, so its exit code and the end of its standard error are known.
        var exited = await _host.WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (_closing)
        {
            // A close is under way: what is still pending fails as closed; CloseAsync checks the exit code.
            _connection.Terminate(Closed);
            return;
        }

        var how = exited ? $"exited with code {_host.ExitCode}" : "closed its output";
        var why = error is null ? string.Empty : $" ({error.GetType().Name}: {error.Message})";
        var crash = new LayerHostException(
            $"The layer host of the {LayerName} layer (process {_host.Id}, {_host.Command}) {how}{why} while the layer was open. The last lines of its standard error:\n{_host.ErrorTail}");
        _crash = crash;
        _connection.Terminate(_ => crash);
        if (!exited)
        {
            _host.Kill();
        }

        ConnectionChanged?.Invoke(false, crash);
    });

    private ChannelLayerClosedException Closed(Operation operation)
    {
        var what = operation switch
        {
            Operation.Send => "send",
            Operation.Receive => "receive",
            Operation.NewChannel => "create a channel",
            Operation.GroupAdd => "add to a group",
            Operation.GroupDiscard => "discard from a group",
            Operation.GroupSend => "send to a group",
            Operation.Flush => "flush",
            Operation.Attach => "attach a forwarder",
            _ => operation.ToString().ToLowerInvariant(),
        };
        return new ChannelLayerClosedException($"Cannot {what}: the {LayerName} channel layer is closed.");
    }

    private void Forward(FrameReader call)
    {
        var attachment = call.ReadInt64();
        var messageId = call.ReadInt64();
        var received = call.ReadMessage();
        var mayWait = call.ReadBoolean();
        if (!_messages.TryGetValue(messageId, out var message))
        {
            message = received;
            _messages.Add(messageId, message);
            _messageOrder.Enqueue(messageId);
            if (_messageOrder.Count > CachedMessages)
            {
                _messages.Remove(_messageOrder.Dequeue());
            }
        }

        // A forwarder detached here meanwhile declines: the message takes the normal path, as after a detach in process.
        var outcome = _forwarders.TryGetValue(attachment, out var forwarder) ? forwarder.Forward(message, mayWait) : ForwardOutcome.NotForwarded;
        _connection.Answer(call.Id, call.Operation, frame => frame.WriteByte((byte)outcome));
    }

    private void WaitForRoom(FrameReader call)
    {
        var attachment = call.ReadInt64();
        if (!_forwarders.TryGetValue(attachment, out var forwarder))
        {
            _connection.Answer(call.Id, call.Operation, null);
            return;
        }

        var cancel = new CancellationTokenSource();
        _roomWaits[call.Id] = cancel;
        Task waiting;
        try
        {
            waiting = forwarder.WaitForRoomAsync(cancel.Token).AsTask();
        }
        catch (Exception ex)
        {
            waiting = Task.FromException(ex);
        }

        waiting.ContinueWith(
            task =>
            {
                _roomWaits.TryRemove(call.Id, out _);
                cancel.Dispose();
                if (task.IsCompletedSuccessfully)
                {
                    _connection.Answer(call.Id, call.Operation, null);
                }
                else
                {
                    _connection.AnswerError(call.Id, call.Operation, task.Exception?.InnerException ?? new OperationCanceledException());
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private sealed class Attachment(HostLink link, long id) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0 && link._forwarders.TryRemove(id, out _))
            {
                link._connection.Post(Operation.Detach, frame => frame.WriteInt64(id));
            }
        }
    }
}
