using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Internal;

namespace Switchyard.Server;

/// <summary>
/// Runs one <see cref="WebSocketConsumer"/> over one WebSocket: the connect step, then RFC 6455 framing over the
/// upgraded transport (Switchyard's own, so an idle connection holds no buffer and queued frames are coalesced
/// into one write), keep-alive pings, limits and the close handshake. Server integrations (ASP.NET Core, the test
/// communicator) call <see cref="ConnectAsync"/>, answer the HTTP handshake, then call <see cref="RunAsync(Stream, CancellationToken)"/>.
/// </summary>
internal sealed partial class WebSocketConnection : IWebSocketConnection, IChannelForwarder, IConsumerStopObserver, IIntrusiveListNode<WebSocketConnection>
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
    private readonly WebSocketFrameReader _reader;

    // The smallest message compressed with permessage-deflate; -1 while the extension is not negotiated.
    private int _deflateThreshold = -1;
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

    // A limit the keep-alive tick found broken on the receiving side; the receive loop closes for it.
    private int _receiveFailCode;
    private string? _receiveFailReason;

    // The client message the consumer is handling (or the last of those read ahead behind it), and how many read-ahead
    // messages and bytes wait behind it (see DeliverMessageAsync).
    private Task? _delivering;
    private int _readAhead;
    private long _readAheadBytes;

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
        _metrics = WebSocketMetrics.For(meterFactory);
        _sendQueue = new WebSocketSendQueue(_options.SendQueueCapacity, _clock);
        _reader = new WebSocketFrameReader(_options.MaxMessageSize, _options.MaxMessageFragments);
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
    /// Speaks permessage-deflate (RFC 7692) on this connection, as the handshake agreed with
    /// <see cref="WebSocketDeflateNegotiation.Response"/>: compressed client messages are inflated (within
    /// <see cref="SwitchyardWebSocketOptions.MaxMessageSize"/>), and messages from
    /// <see cref="SwitchyardWebSocketOptions.CompressionThreshold"/> bytes up are sent compressed. Call before
    /// <see cref="RunAsync(Stream, CancellationToken)"/>.
    /// </summary>
    public void EnableDeflate()
    {
        _reader.EnableDeflate();
        _deflateThreshold = _options.CompressionThreshold;
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
        _sendQueue.Start(output, Subprotocol == JsonWebSocketConsumer.BatchSubprotocol, _options.MaxBatchSize, _readAbort.Token);
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
        _reader.Reset();
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

    public void Accept(string? subprotocol)
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

    public void Reject(int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (!_decision.TrySetResult(WebSocketConnectResult.Reject(statusCode, "the consumer rejected it")))
        {
            throw new InvalidOperationException("This WebSocket connection was already accepted or refused.");
        }
    }

    public void Close(int code, string? reason)
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
    public void AnswerDropped(long id) => WebSocketLog.AnswerDropped(_logger, Scope.Path, Scope.ChannelName, id);

    // Bad input closes the connection with one log line and no stack trace; what arrives after the close began (more
    // garbage, a bad close frame) is not logged again. The detail goes to the log only, not into the close frame.
    public void CloseForBadInput(int code, string reason, string? detail = null)
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

}
