using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Internal;
using Switchyard.WebSockets.Protocol;

namespace Switchyard.WebSockets;

/// <summary>
/// Runs one <see cref="WebSocketConsumer"/> over one WebSocket: the connect step, then RFC 6455 framing over the
/// upgraded transport (Switchyard's own, so an idle connection holds no buffer and queued frames are coalesced
/// into one write), keep-alive pings, limits and the close handshake. Server integrations (ASP.NET Core, the test
/// communicator) call <see cref="ConnectAsync"/>, answer the HTTP handshake, then call <see cref="RunAsync(Stream, CancellationToken)"/>.
/// </summary>
public sealed class WebSocketConnection : IChannelForwarder, IConsumerStopObserver, IIntrusiveListNode<WebSocketConnection>
{
    private const string ByServer = "server";
    private const string ByClient = "client";
    private const int ReadBufferSize = 4096;

    // Client messages read ahead while the consumer waits on its client (see DeliverMessageAsync).
    private const int MaxReadAhead = 64;

    private readonly WebSocketConsumer _consumer;
    private readonly SwitchyardWebSocketOptions _options;
    private readonly ConsumerRunner _runner;
    private readonly WebSocketSendQueue _sendQueue;
    private readonly ILogger _logger;
    private readonly WebSocketMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource<WebSocketConnectResult> _decision = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _readAbort = new();
    private readonly Lock _timerLock = new();
    private readonly WebSocketClock _clock;
    private readonly ChannelLayer? _layer;
    private readonly IForwardingConsumer? _forwarding;
    private Task<ConsumerStopReason>? _run;
    private IDisposable? _forwarder;
    private ITimer? _keepAlive;
    private KeepAliveHeartbeat? _heartbeat;
    private ITimer? _closeTimer;
    private long _lastReceived;
    private long _pingSent;
    private int _closeSent;
    private string _closeInitiator = ByClient;
    private bool _running;
    private int _receiving;
    private int _consumerStopped;
    private bool _slowClientLogged;
    private volatile bool _droppingForSlowClient;
    private bool _timersStopped;
    private volatile bool _pingTimedOut;
    private PipeReader? _input;

    // When the message (or frame) still arriving began: the read that brought its first byte; None when none is.
    private long _messageStarted = WebSocketClock.None;
    private int _messageFrames;

    // A limit the keep-alive tick found broken on the receiving side; the receive loop closes for it.
    private int _receiveFailCode;
    private string? _receiveFailReason;

    // The message being reassembled from its frames: a pooled buffer, only while a message is arriving.
    private byte[]? _message;
    private int _messageLength;
    private WebSocketOpcode _messageOpcode;

    // The client message the consumer is handling (or the last of those read ahead behind it), and how many read-ahead
    // messages and bytes wait behind it (see DeliverMessageAsync).
    private Task? _delivering;
    private int _readAhead;
    private long _readAheadBytes;
    private int _failCode;
    private string? _failReason;

    /// <summary>Creates a connection for one consumer instance.</summary>
    /// <param name="consumer">A new consumer instance.</param>
    /// <param name="scope">The connection's scope; its channel name must be new (see <see cref="ChannelLayer.NewChannelAsync"/>).</param>
    /// <param name="layer">The channel layer the consumer receives on and joins groups in.</param>
    /// <param name="options">Limits and timers; defaults when <see langword="null"/>.</param>
    /// <param name="consumerOptions">How the consumer is run (its drain timeout); defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log events go.</param>
    /// <param name="meterFactory">Where metrics go.</param>
    /// <param name="timeProvider">The clock of pings and timeouts; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public WebSocketConnection(
        WebSocketConsumer consumer,
        WebSocketScope scope,
        ChannelLayer? layer,
        SwitchyardWebSocketOptions? options = null,
        ConsumerOptions? consumerOptions = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        _options = options ?? new SwitchyardWebSocketOptions();
        _options.Validate();
        _consumer = consumer;
        _time = timeProvider ?? TimeProvider.System;
        _clock = new WebSocketClock(_time);
        _logger = (ILogger?)loggerFactory?.CreateLogger("Switchyard.WebSockets") ?? NullLogger.Instance;
        _metrics = SwitchyardDiagnostics.GetWebSocketMetrics(meterFactory);
        _sendQueue = new WebSocketSendQueue(_options.SendQueueCapacity, _clock);
        _runner = new ConsumerRunner(consumer, scope, layer, consumerOptions, loggerFactory, meterFactory);
        _layer = layer;
        _forwarding = consumer as IForwardingConsumer;
        _runner.StopObserver = this;
        _runner.WaitForOutputRoom = _sendQueue.WaitForRoomAsync;
        _runner.ForwardReplayed = ForwardReplayed;
        consumer.AttachConnection(this);
    }

    // The keep-alive heartbeat's intrusive list (see KeepAliveHeartbeat); touched only under its lock.
    WebSocketConnection? IIntrusiveListNode<WebSocketConnection>.Next { get; set; }

    WebSocketConnection? IIntrusiveListNode<WebSocketConnection>.Previous { get; set; }

    bool IIntrusiveListNode<WebSocketConnection>.InList { get; set; }

    /// <summary>Gets the connection's scope.</summary>
    public WebSocketScope Scope => (WebSocketScope)_runner.Scope;

    /// <summary>Gets the subprotocol the consumer accepted, once it has.</summary>
    public string? Subprotocol => _decision.Task.IsCompletedSuccessfully ? _decision.Task.Result.Subprotocol : null;

    /// <summary>Gets a task that completes with the consumer's stop reason once it has fully stopped (groups left).</summary>
    public Task<ConsumerStopReason> Completion => _runner.Completion;

    /// <summary>
    /// Starts the consumer and runs its connect step. Returns as soon as it accepts or refuses; after
    /// <see cref="SwitchyardWebSocketOptions.ConnectTimeout"/> without a decision the connection is refused with 504.
    /// </summary>
    /// <param name="stoppingToken">Server shutdown: an accepted connection is then closed with 1001.</param>
    /// <returns>The decision. When refused, the consumer is being stopped; answer the request with the status.</returns>
    /// <exception cref="InvalidOperationException">The connect step already ran.</exception>
    public async Task<WebSocketConnectResult> ConnectAsync(CancellationToken stoppingToken = default)
    {
        if (_run is not null)
        {
            throw new InvalidOperationException("This WebSocket connection was already started.");
        }

        // The forwarding path is in place before the consumer joins its groups, so every message of a forwarded type takes it.
        if (_forwarding is not null && _layer is not null)
        {
            _forwarder = _layer.AttachForwarder(Scope.ChannelName, this);
        }

        _run = _runner.RunAsync(stoppingToken);
        try
        {
            await Task.WhenAny(_decision.Task, _run).WaitAsync(_options.ConnectTimeout, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _decision.TrySetResult(WebSocketConnectResult.Reject(504, $"the consumer neither accepted nor rejected within {_options.ConnectTimeout}"));
        }

        if (!_decision.Task.IsCompleted)
        {
            var reason = await _run.ConfigureAwait(false);
            _decision.TrySetResult(reason == ConsumerStopReason.Faulted
                ? WebSocketConnectResult.Reject(500, "the consumer failed while connecting")
                : WebSocketConnectResult.Reject(403, $"the consumer stopped while connecting ({reason})"));
        }

        var result = await _decision.Task.ConfigureAwait(false);
        if (result.IsAccepted)
        {
            _metrics.Opened();
            WebSocketLog.Accepted(_logger, Scope.Path, _consumer.GetType().Name, Scope.ChannelName, result.Subprotocol);
        }
        else
        {
            _metrics.Rejected(result.StatusCode == 504 ? "connect_timeout" : "consumer");
            WebSocketLog.Rejected(_logger, Scope.Path, result.StatusCode, result.Reason);
            _forwarder?.Dispose();
            _sendQueue.Abandon();
            _runner.Abort(ConsumerStopReason.Requested);
        }

        return result;
    }

    /// <summary>
    /// Gives up on an accepted connection whose handshake the server could not complete (the client went away before
    /// the 101 was written): the consumer is stopped (it leaves its groups) without a disconnect callback, since it
    /// was never connected.
    /// </summary>
    /// <returns>A task that completes when the consumer has stopped.</returns>
    public async Task AbandonAsync()
    {
        if (_run is null || _running)
        {
            return;
        }

        _running = true;
        _forwarder?.Dispose();
        _sendQueue.Abandon();
        _runner.Abort(ConsumerStopReason.Requested);
        await _run.ConfigureAwait(false);
        _metrics.Closed(WebSocketCloseCodes.AbnormalClosure, ByClient);
    }

    /// <summary>
    /// Runs an accepted connection over its upgraded transport until it closes: reads and checks frames, hands
    /// messages to the consumer, writes what it sends, pings an idle client, and closes with the right code when the
    /// consumer stops (1000 when asked, 1001 on shutdown, 1011 when it failed).
    /// </summary>
    /// <param name="transport">The upgraded connection's stream; the caller disposes it afterwards.</param>
    /// <param name="cancellationToken">Aborts the connection (the client's request was aborted).</param>
    /// <returns>The close code reported to the consumer.</returns>
    /// <exception cref="InvalidOperationException">The connection was not accepted, or is already running.</exception>
    public Task<int> RunAsync(Stream transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var input = PipeReader.Create(transport, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        return RunCoreAsync(input, new PooledStreamWriter(transport), ownsPipes: true, cancellationToken);
    }

    /// <summary>
    /// Runs an accepted connection over a transport that already speaks pipes (a custom transport, or a test's
    /// in-memory pipes); see <see cref="RunAsync(Stream, CancellationToken)"/>.
    /// </summary>
    /// <param name="transport">The upgraded connection; the caller completes it afterwards.</param>
    /// <param name="cancellationToken">Aborts the connection (the client's request was aborted).</param>
    /// <returns>The close code reported to the consumer.</returns>
    /// <exception cref="InvalidOperationException">The connection was not accepted, or is already running.</exception>
    public Task<int> RunAsync(IDuplexPipe transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        return RunCoreAsync(transport.Input, transport.Output, ownsPipes: false, cancellationToken);
    }

    private async Task<int> RunCoreAsync(PipeReader input, PipeWriter output, bool ownsPipes, CancellationToken cancellationToken)
    {
        if (_run is null || !_decision.Task.IsCompletedSuccessfully || !_decision.Task.Result.IsAccepted || _running)
        {
            throw new InvalidOperationException("Run a WebSocket connection once, after its connect step accepted it.");
        }

        _running = true;
        _input = input;
        var aborted = cancellationToken.UnsafeRegister(static s => ((WebSocketConnection)s!).AbortRead(), this);
        _sendQueue.Start(output, Subprotocol == SwitchyardWebSocketOptions.BatchSubprotocol, _options.MaxBatchSize, _readAbort.Token);
        Volatile.Write(ref _lastReceived, _clock.Now());
        StartKeepAlive();
        if (Volatile.Read(ref _closeSent) != 0)
        {
            ArmCloseTimer();
        }

        // Full fences on both sides (here and in OnConsumerStopped): whichever of "socket up" and "consumer stopped"
        // happens second sees the first, so a consumer that stops is always followed by a close frame.
        Interlocked.Exchange(ref _receiving, 1);
        if (Volatile.Read(ref _consumerStopped) is var stopped and > 0)
        {
            CloseForStop((ConsumerStopReason)(stopped - 1));
        }

        var closeCode = await ReceiveLoopAsync(input).ConfigureAwait(false);
        _consumer.ConnectionClosed();
        await DrainDeliveryAsync().ConfigureAwait(false);
        Interlocked.Exchange(ref _receiving, 0);
        _forwarder?.Dispose();
        StopTimers();
        if (!_runner.Completion.IsCompleted)
        {
            await _runner.RunEventAsync((this, closeCode), static (s, ct) => s.Item1._consumer.DisconnectAsync(s.Item2, ct), "websocket.disconnect").ConfigureAwait(false);
            _runner.Stop();
        }

        // A close frame still on its way goes out (bounded); a connection that was lost (1006) has nothing to wait for.
        if (closeCode != WebSocketCloseCodes.AbnormalClosure && Volatile.Read(ref _closeSent) != 0)
        {
            try
            {
                await _sendQueue.CloseWritten.WaitAsync(_options.CloseTimeout, _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The client stopped reading; the transport is dropped below.
            }
        }

        var dropped = _sendQueue.Abandon();
        if (dropped > 0 || _sendQueue.Failure is not null)
        {
            _metrics.Dropped(WebSocketMetrics.ReasonClosed, dropped);
            WebSocketLog.SendFailed(_logger, _sendQueue.Failure, Scope.Path, Scope.ChannelName, dropped);
        }

        await _run.ConfigureAwait(false);
        _layer?.OnChannelAbandoned(Scope.ChannelName);
        ReturnMessageBuffer();
        var reported = Volatile.Read(ref _closeSent) is var sent and not 0 && _closeInitiator == ByServer ? sent : closeCode;
        _metrics.Closed(reported, _closeInitiator);
        WebSocketLog.Closed(_logger, Scope.Path, Scope.ChannelName, reported, _closeInitiator);

        // The abort registration goes first: a client hanging up now must not cancel a disposed source.
        aborted.Dispose();
        _readAbort.Dispose();
        if (ownsPipes)
        {
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }

        return closeCode;
    }

    void IConsumerStopObserver.OnConsumerStopped(ConsumerStopReason reason)
    {
        Interlocked.Exchange(ref _consumerStopped, (int)reason + 1);
        if (Volatile.Read(ref _receiving) == 1)
        {
            CloseForStop(reason);
        }
    }

    // The consumer stopped on its own while the socket is open: tell the client why.
    private void CloseForStop(ConsumerStopReason reason)
    {
        var (code, text) = CloseCodeFor(reason);
        StartClose(code, text, discardPending: false);
    }

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
        switch (_sendQueue.TrySend(opcode, frame.Payload, rented: null, writeInline: false))
        {
            case SendOutcome.Queued:
                _droppingForSlowClient = false;
                _metrics.Sent();
                return ForwardOutcome.Forwarded;
            case SendOutcome.Full when mayWait && !_droppingForSlowClient:
                return ForwardOutcome.Full;
            case SendOutcome.Full:
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

    ValueTask IChannelForwarder.WaitForRoomAsync(CancellationToken cancellationToken) => _sendQueue.WaitForRoomAsync(cancellationToken);

    internal void Accept(string? subprotocol)
    {
        if (subprotocol is not null && !Scope.Subprotocols.Contains(subprotocol))
        {
            throw new InvalidOperationException(
                $"The client did not offer the subprotocol '{subprotocol}'; it offered [{string.Join(", ", Scope.Subprotocols)}].");
        }

        if (!_decision.TrySetResult(WebSocketConnectResult.Accept(subprotocol)))
        {
            throw new InvalidOperationException("This WebSocket connection was already accepted or refused.");
        }
    }

    internal void Reject(int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (!_decision.TrySetResult(WebSocketConnectResult.Reject(statusCode, "the consumer rejected it")))
        {
            throw new InvalidOperationException("This WebSocket connection was already accepted or refused.");
        }
    }

    internal void Send(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload, byte[]? rented, bool writeInline = true)
    {
        switch (_sendQueue.TrySend(opcode, payload, rented, writeInline))
        {
            case SendOutcome.Queued:
                _metrics.Sent();
                return;
            case SendOutcome.Closed:
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

    internal void SendCopy(WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var rented = ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.CopyTo(rented);
        Send(opcode, rented.AsMemory(0, payload.Length), rented);
    }

    internal void Close(int code, string? reason)
    {
        if (!_decision.Task.IsCompleted)
        {
            // Closing before accepting refuses the handshake, as in Django Channels.
            _decision.TrySetResult(WebSocketConnectResult.Reject(403, $"the consumer closed before accepting ({code})"));
            return;
        }

        StartClose(code, reason, discardPending: false);
    }

    // An answer ($re) that no call of the server waits for: late, or made up. Not bad input: a call may time out just
    // before its answer arrives.
    internal void AnswerDropped(long id) => WebSocketLog.AnswerDropped(_logger, Scope.Path, Scope.ChannelName, id);

    // Bad input closes the connection with one log line and no stack trace; what arrives after the close began (more
    // garbage, a bad close frame) is not logged again. The detail goes to the log only, not into the close frame.
    internal void CloseForBadInput(int code, string reason, string? detail = null)
    {
        if (StartClose(code, reason, discardPending: false))
        {
            WebSocketLog.BadInput(_logger, Scope.Path, Scope.ChannelName, code, detail is null ? reason : $"{reason} ({detail})");
        }
    }

    private static (int Code, string Reason) CloseCodeFor(ConsumerStopReason reason) => reason switch
    {
        ConsumerStopReason.Shutdown => (WebSocketCloseCodes.GoingAway, "server shutting down"),
        ConsumerStopReason.Requested => (WebSocketCloseCodes.NormalClosure, string.Empty),
        ConsumerStopReason.UserDisconnected => (WebSocketCloseCodes.PolicyViolation, "user disconnected"),
        _ => (WebSocketCloseCodes.InternalError, "internal error"),
    };

    // Returns whether this call began the close (false when a close was already under way).
    private bool StartClose(int code, string? reason, bool discardPending)
    {
        if (Interlocked.CompareExchange(ref _closeSent, code, 0) != 0)
        {
            return false;
        }

        _closeInitiator = ByServer;
        var dropped = _sendQueue.Close(WebSocketFrameWriter.CreateClosePayload(code, reason), discardPending);
        _metrics.Dropped(WebSocketMetrics.ReasonSlowClient, Math.Max(dropped, 0));
        if (_running)
        {
            ArmCloseTimer();
        }

        return true;
    }

    private void ArmCloseTimer()
    {
        lock (_timerLock)
        {
            if (_timersStopped)
            {
                return;
            }

            _closeTimer ??= _time.CreateTimer(
                static s =>
                {
                    var connection = (WebSocketConnection)s!;
                    WebSocketLog.CloseTimeout(connection._logger, connection.Scope.Path, connection.Scope.ChannelName, connection._options.CloseTimeout);
                    connection.AbortRead();
                },
                this,
                _options.CloseTimeout,
                Timeout.InfiniteTimeSpan);
        }
    }

    private void StopTimers()
    {
        lock (_timerLock)
        {
            _timersStopped = true;
            _keepAlive?.Dispose();
            _heartbeat?.Remove(this);
            _closeTimer?.Dispose();
            _keepAlive = null;
            _heartbeat = null;
            _closeTimer = null;
        }
    }

    private void StartKeepAlive()
    {
        if (KeepAliveTick(_options) is not { } tick)
        {
            return;
        }

        lock (_timerLock)
        {
            if (_clock.IsSystem)
            {
                _heartbeat = KeepAliveHeartbeat.For(tick);
                _heartbeat.Add(this);
            }
            else
            {
                _keepAlive = _time.CreateTimer(static s => ((WebSocketConnection)s!).OnKeepAliveTick(), this, tick, tick);
            }
        }
    }

    // Half the shortest time limit (so a limit is noticed within 1.5 times itself), or null when every limit is off.
    private static TimeSpan? KeepAliveTick(SwitchyardWebSocketOptions options)
    {
        var shortest = long.MaxValue;
        if (options.PingInterval != Timeout.InfiniteTimeSpan)
        {
            shortest = Math.Min(options.PingInterval.Ticks, options.PingTimeout.Ticks);
        }

        if (options.SendTimeout != Timeout.InfiniteTimeSpan)
        {
            shortest = Math.Min(shortest, options.SendTimeout.Ticks);
        }

        if (options.MessageTimeout != Timeout.InfiniteTimeSpan)
        {
            shortest = Math.Min(shortest, options.MessageTimeout.Ticks);
        }

        return shortest == long.MaxValue ? null : TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, shortest / 2));
    }

    // One tick checks every time limit of the connection: no timer per frame, per message or per limit.
    internal void OnKeepAliveTick()
    {
        var now = _clock.Now();
        CheckSendTimeout(now);
        CheckMessageTimeout(now);
        if (_options.PingInterval != Timeout.InfiniteTimeSpan)
        {
            CheckPing(now);
        }
    }

    private void CheckPing(long now)
    {
        var lastReceived = Volatile.Read(ref _lastReceived);
        var pingSent = Volatile.Read(ref _pingSent);
        if (pingSent != 0 && lastReceived < pingSent)
        {
            if (_clock.Elapsed(pingSent, now) >= _options.PingTimeout && !_pingTimedOut)
            {
                _pingTimedOut = true;
                WebSocketLog.PingTimeout(_logger, Scope.Path, Scope.ChannelName, _options.PingTimeout);
                AbortRead();
            }

            return;
        }

        if (_clock.Elapsed(lastReceived, now) >= _options.PingInterval && Volatile.Read(ref _closeSent) == 0)
        {
            Volatile.Write(ref _pingSent, now);
            _sendQueue.SendControl(WebSocketOpcode.Ping, ReadOnlyMemory<byte>.Empty, writeInline: false);
        }
    }

    // A frame that has waited longer than SendTimeout for the socket to take it: the client does not read (issue 12,
    // row 5). A flush into Kestrel waits only once its buffers and the kernel's are full, so a stuck flush is the signal,
    // long before a queue of SendQueueCapacity small messages fills.
    private void CheckSendTimeout(long now)
    {
        if (_options.SendTimeout == Timeout.InfiniteTimeSpan || Volatile.Read(ref _closeSent) != 0)
        {
            return;
        }

        var oldest = _sendQueue.OldestUnflushed;
        if (oldest == WebSocketClock.None || _clock.Elapsed(oldest, now) < _options.SendTimeout)
        {
            return;
        }

        if (_options.SlowClientMode == SlowClientMode.Close)
        {
            WebSocketLog.SendTimeout(_logger, Scope.Path, Scope.ChannelName, _options.SendTimeout, "closing it with 1008 and dropping what it had not read");
            StartClose(WebSocketCloseCodes.PolicyViolation, "slow client", discardPending: true);
            return;
        }

        var dropped = _sendQueue.DropWaiting(now, _options.SendTimeout);
        if (dropped > 0)
        {
            _metrics.Dropped(WebSocketMetrics.ReasonSlowClient, dropped);
            if (!_slowClientLogged)
            {
                _slowClientLogged = true;
                WebSocketLog.SendTimeout(_logger, Scope.Path, Scope.ChannelName, _options.SendTimeout, "dropping each message that waits that long until it catches up (logged once, counted each time)");
            }
        }
    }

    // A message begun and not finished within MessageTimeout: a frame trickled a byte at a time (issue 12, row 6).
    private void CheckMessageTimeout(long now)
    {
        if (_options.MessageTimeout == Timeout.InfiniteTimeSpan || Volatile.Read(ref _receiveFailCode) != 0)
        {
            return;
        }

        var started = Volatile.Read(ref _messageStarted);
        if (started == WebSocketClock.None || _clock.Elapsed(started, now) < _options.MessageTimeout)
        {
            return;
        }

        // The receive loop closes the connection: it wakes from its read and finds the code.
        _receiveFailReason = $"a message not completed within {_options.MessageTimeout}";
        Volatile.Write(ref _receiveFailCode, WebSocketCloseCodes.PolicyViolation);
        try
        {
            _input?.CancelPendingRead();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The connection already finished reading.
        }
    }

    private void AbortRead()
    {
        try
        {
            _readAbort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }
    }

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
                    switch (ReadFrame(ref buffer, out var control))
                    {
                        case FrameStep.NeedMoreData:
                            reader.AdvanceTo(buffer.Start, buffer.End);
                            advanced = true;
                            if (result.IsCompleted || result.IsCanceled)
                            {
                                return WebSocketCloseCodes.AbnormalClosure;
                            }

                            TrackIncompleteMessage(!buffer.IsEmpty, readAt);
                            break;

                        case FrameStep.FrameDone:
                            break;

                        case FrameStep.Control:
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

                        case FrameStep.Message:
                            reader.AdvanceTo(buffer.Start);
                            advanced = true;

                            // The client finished its message; the consumer's time handling it is not the client's.
                            Volatile.Write(ref _messageStarted, WebSocketClock.None);
                            await DeliverMessageAsync().ConfigureAwait(false);
                            break;

                        default:
                            reader.AdvanceTo(buffer.End);
                            return FailReceive(_failCode, _failReason!);
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
        if (!leftover && _messageOpcode == WebSocketOpcode.Continuation)
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
        var rented = _message;
        var message = new WebSocketMessage(_messageOpcode == WebSocketOpcode.Text, _message.AsMemory(0, _messageLength));
        _message = null;
        ReturnMessageBuffer();
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

    private void ReturnMessageBuffer()
    {
        if (_message is not null)
        {
            ArrayPool<byte>.Shared.Return(_message);
            _message = null;
        }

        _messageLength = 0;
        _messageFrames = 0;
        _messageOpcode = WebSocketOpcode.Continuation;
    }

    private FrameStep ReadFrame(ref ReadOnlySequence<byte> buffer, out ControlFrame control)
    {
        control = default;
        if (!WebSocketFrameHeader.TryParse(buffer, out var header))
        {
            return FrameStep.NeedMoreData;
        }

        if (header.Reserved != 0)
        {
            return Fail(WebSocketCloseCodes.ProtocolError, "reserved bits set without a negotiated extension");
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

            var continuing = _messageOpcode != WebSocketOpcode.Continuation;
            if (header.Opcode == WebSocketOpcode.Continuation ? !continuing : continuing)
            {
                return Fail(WebSocketCloseCodes.ProtocolError, continuing
                    ? "a new message began before the previous one's final frame"
                    : "a continuation frame without a message to continue");
            }

            if (header.PayloadLength > _options.MaxMessageSize - _messageLength)
            {
                return Fail(WebSocketCloseCodes.MessageTooBig, $"message larger than {_options.MaxMessageSize} bytes");
            }

            // RFC 6455 §7.4.1: 1009 is for a message too big to process; a message of too many fragments (empty ones
            // cost nothing in size) is not big but breaks a policy: 1008.
            if (_messageFrames >= _options.MaxMessageFragments)
            {
                return Fail(WebSocketCloseCodes.PolicyViolation, $"a message in more than {_options.MaxMessageFragments} fragments");
            }
        }

        var frameLength = header.HeaderLength + header.PayloadLength;
        if (buffer.Length < frameLength)
        {
            return FrameStep.NeedMoreData;
        }

        var payload = buffer.Slice(header.HeaderLength, header.PayloadLength);
        var length = (int)header.PayloadLength;
        if (header.IsControl)
        {
            var bytes = length == 0 ? [] : new byte[length];
            WebSocketMask.Unmask(payload, bytes, header.MaskKey, 0);
            control = new ControlFrame(header.Opcode, bytes);
            buffer = buffer.Slice(frameLength);
            return FrameStep.Control;
        }

        if (header.Opcode != WebSocketOpcode.Continuation)
        {
            _messageOpcode = header.Opcode;
        }

        EnsureMessageCapacity(_messageLength + length, header.Fin);
        WebSocketMask.Unmask(payload, _message.AsSpan(_messageLength), header.MaskKey, 0);
        _messageLength += length;
        _messageFrames++;
        buffer = buffer.Slice(frameLength);
        if (!header.Fin)
        {
            return FrameStep.FrameDone;
        }

        if (_messageOpcode == WebSocketOpcode.Text && !Utf8.IsValid(_message.AsSpan(0, _messageLength)))
        {
            return Fail(WebSocketCloseCodes.InvalidPayloadData, "a text message that is not valid UTF-8");
        }

        return FrameStep.Message;
    }

    private void EnsureMessageCapacity(int needed, bool final)
    {
        if (_message is not null && _message.Length >= needed)
        {
            return;
        }

        // A final frame needs exactly what it has; a fragmented message grows by doubling, within the limit.
        var size = final ? needed : Math.Min(Math.Max(needed, (_message?.Length ?? 0) * 2), _options.MaxMessageSize);
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        if (_message is not null)
        {
            _message.AsSpan(0, _messageLength).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_message);
        }

        _message = grown;
    }

    private FrameStep Fail(int code, string reason)
    {
        _failCode = code;
        _failReason = reason;
        return FrameStep.Failed;
    }

    private enum FrameStep
    {
        NeedMoreData,
        FrameDone,
        Control,
        Message,
        Failed,
    }

    private readonly record struct ControlFrame(WebSocketOpcode Opcode, ReadOnlyMemory<byte> Payload);
}
