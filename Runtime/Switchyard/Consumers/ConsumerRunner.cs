using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Internal;

namespace Switchyard;

/// <summary>
/// Runs one consumer instance: takes messages off its channel into a bounded mailbox, together with whatever the
/// server posts (<see cref="PostAsync"/>), and hands them to the consumer's handlers one at a time.
/// </summary>
/// <remarks>
/// <para>Lifecycle: <see cref="Consumer.OnStartedAsync"/>, then messages in arrival order, then — whatever ended it —
/// the consumer leaves its groups and <see cref="Consumer.OnStoppedAsync"/> runs. An exception in a handler is
/// logged and stops that consumer cleanly (<see cref="ConsumerStopReason.Faulted"/>); it never escapes to the
/// process.</para>
/// <para>Shutdown (the token given to <see cref="RunAsync"/>) stops taking messages off the channel and handles
/// the ones already in the mailbox for up to <see cref="ConsumerOptions.DrainTimeout"/>, then cancels the handlers.
/// Any message left undelivered is counted and logged.</para>
/// </remarks>
public sealed class ConsumerRunner
{
    private const int NotStopping = -1;

    private readonly IConsumerDispatcher _dispatcher;
    private readonly ConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly ConsumerMetrics _metrics;
    private readonly Channel<ChannelMessage>? _mailbox;
    private readonly CancellationTokenSource _stopProcessing = new();
    private readonly CancellationTokenSource _stopReceiving = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource<ConsumerStopReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Only a runner with a mailbox needs to know when its receive loop let go (see CloseMailboxAfterReceiveLoopAsync).
    private readonly TaskCompletionSource? _receiveLoopDone;

    // Handlers take turns: mailbox messages, server events (client frames) and the start hook hold this gate.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _consumerName;
    private int _stopReason = NotStopping;
    private int _started;

    /// <summary>Creates a runner for one consumer instance.</summary>
    /// <param name="consumer">The consumer; its generated half must implement <see cref="IConsumerDispatcher"/>.</param>
    /// <param name="scope">The consumer's scope; <see cref="ConsumerScope.ChannelName"/> is the channel it receives on.</param>
    /// <param name="layer">The channel layer to receive from and act on, or <see langword="null"/> for a consumer fed only by <see cref="PostAsync"/>.</param>
    /// <param name="options">Mailbox and drain settings; defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log events go.</param>
    /// <param name="meterFactory">Where metrics go.</param>
    /// <exception cref="InvalidOperationException">The consumer has no generated dispatcher, or is already run by another runner.</exception>
    public ConsumerRunner(
        Consumer consumer,
        ConsumerScope scope,
        ChannelLayer? layer = null,
        ConsumerOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(scope);
        _consumerName = consumer.GetType().Name;
        _dispatcher = consumer as IConsumerDispatcher ?? throw new InvalidOperationException(
            $"{consumer.GetType().FullName} has no generated dispatcher: declare it 'partial' and reference the Switchyard package " +
            $"(its source generator implements {nameof(IConsumerDispatcher)} from the handler methods). Switchyard never looks handlers up by reflection.");
        _options = options ?? new ConsumerOptions();
        _options.Validate();
        Consumer = consumer;
        Scope = scope;
        Layer = layer;
        _logger = (ILogger?)loggerFactory?.CreateLogger("Switchyard.Consumer") ?? NullLogger.Instance;
        _metrics = SwitchyardDiagnostics.GetConsumerMetrics(meterFactory);
        if (_options.MailboxCapacity > 0)
        {
            var mailboxOptions = new BoundedChannelOptions(_options.MailboxCapacity)
            {
                SingleReader = true,
                FullMode = _options.MailboxFullMode == MailboxFullMode.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            };
            _mailbox = Channel.CreateBounded<ChannelMessage>(mailboxOptions, dropped => OnDropped(dropped, ConsumerMetrics.ReasonMailboxFull, "the mailbox was full"));
            _receiveLoopDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        consumer.Attach(this);
    }

    /// <summary>Gets the consumer instance.</summary>
    public Consumer Consumer { get; }

    /// <summary>Gets the consumer's scope.</summary>
    public ConsumerScope Scope { get; }

    /// <summary>Gets the channel layer, if any.</summary>
    public ChannelLayer? Layer { get; }

    /// <summary>Gets or sets who is told, once, when the consumer has stopped (its connection, which closes with a code that says why).</summary>
    internal IConsumerStopObserver? StopObserver { get; set; }

    /// <summary>Gets a task that completes with the stop reason when the consumer has fully stopped.</summary>
    public Task<ConsumerStopReason> Completion => _completion.Task;

    private ConsumerStopReason? StopReason => Volatile.Read(ref _stopReason) is var r and not NotStopping ? (ConsumerStopReason)r : null;

    /// <summary>Runs the consumer until it stops.</summary>
    /// <param name="stoppingToken">Begins a graceful shutdown: no new messages, the mailbox is drained within the drain timeout.</param>
    /// <returns>Why the consumer stopped. The task never faults because of a handler.</returns>
    /// <exception cref="InvalidOperationException">The runner was already started.</exception>
    public Task<ConsumerStopReason> RunAsync(CancellationToken stoppingToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"The runner of {_consumerName} was already started; a runner runs its consumer once.");
        }

        return RunCoreAsync(stoppingToken);
    }

    /// <summary>
    /// Posts an event from outside the channel layer (a WebSocket frame, an HTTP body) to the consumer's mailbox,
    /// applying the mailbox's <see cref="MailboxFullMode"/>.
    /// </summary>
    /// <param name="message">The event.</param>
    /// <param name="cancellationToken">Cancels waiting for room (<see cref="MailboxFullMode.Wait"/>).</param>
    /// <returns><see langword="true"/> when the message is in the mailbox; <see langword="false"/> when it was dropped (counted and logged).</returns>
    public ValueTask<bool> PostAsync(ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return EnqueueAsync(message, cancellationToken);
    }

    /// <summary>Stops the consumer once the current handler returns; messages still in the mailbox are dropped, counted and logged.</summary>
    public void Stop() => RequestStop(ConsumerStopReason.Requested);

    private async Task<ConsumerStopReason> RunCoreAsync(CancellationToken stoppingToken)
    {
        _metrics.Started();
        ConsumerLog.Started(_logger, _consumerName, Scope.ChannelName);
        var pump = Task.CompletedTask;
        try
        {
            try
            {
                if (Consumer is IConsumerGroupRules rules)
                {
                    foreach (var group in rules.GetGroups(Scope))
                    {
                        await Consumer.JoinGroupInternalAsync(group, _abort.Token).ConfigureAwait(false);
                    }
                }

                await _gate.WaitAsync(_abort.Token).ConfigureAwait(false);
                try
                {
                    await Consumer.OnStartedAsync(_abort.Token).ConfigureAwait(false);
                }
                finally
                {
                    _gate.Release();
                }
            }
            catch (GroupJoinRefusedException ex)
            {
                ConsumerLog.GroupJoinRefused(_logger, _consumerName, Scope.ChannelName, ex.Group);
                RequestStop(ConsumerStopReason.Requested);
            }
            catch (Exception ex)
            {
                ConsumerLog.LifecycleHookFailed(_logger, ex, _consumerName, Scope.ChannelName, nameof(Consumer.OnStartedAsync));
                RequestStop(ConsumerStopReason.Faulted);
            }

            using (stoppingToken.UnsafeRegister(static state => ((ConsumerRunner)state!).RequestStop(ConsumerStopReason.Shutdown), this))
            using (WatchLayerConnection())
            {
                if (_mailbox is null)
                {
                    // No mailbox: take each message off the channel once the previous one is handled.
                    await ReceiveAndHandleAsync().ConfigureAwait(false);
                }
                else
                {
                    if (Layer is not null && !_stopReceiving.IsCancellationRequested)
                    {
                        pump = ReceiveFromLayerAsync(Layer);
                    }
                    else
                    {
                        _receiveLoopDone?.TrySetResult();
                    }

                    await ProcessMailboxAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await _stopReceiving.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            var reason = StopReason ?? ConsumerStopReason.Requested;
            await CleanUpAsync(reason).ConfigureAwait(false);
            StopObserver?.OnConsumerStopped(reason);
            _metrics.Stopped();
            ConsumerLog.Stopped(_logger, _consumerName, Scope.ChannelName, reason);
            _stopProcessing.Dispose();
            _stopReceiving.Dispose();
            _abort.Dispose();
            _completion.TrySetResult(reason);
        }

        return await _completion.Task.ConfigureAwait(false);
    }

    // Tells the consumer when the layer loses its connection and when it is back, in turn with its handlers.
    private LayerConnectionWatch? WatchLayerConnection() => Layer is null ? null : new LayerConnectionWatch(this, Layer);

    private sealed class LayerConnectionWatch : IDisposable
    {
        private readonly ConsumerRunner _runner;
        private readonly ChannelLayer _layer;

        public LayerConnectionWatch(ConsumerRunner runner, ChannelLayer layer)
        {
            _runner = runner;
            _layer = layer;
            layer.ConnectionChanged += OnConnectionChanged;
        }

        public void Dispose() => _layer.ConnectionChanged -= OnConnectionChanged;

        private void OnConnectionChanged(object? sender, ChannelLayerConnectionEventArgs args) =>
            _ = _runner.RunEventAsync(
                (Watch: this, args),
                static (state, token) => state.args.IsConnected
                    ? state.Watch.OnReconnectedAsync(token)
                    : state.Watch._runner.Consumer.OnLayerDisconnectedAsync(state.args.Error, token),
                args.IsConnected ? nameof(Consumer.OnLayerReconnectedAsync) : nameof(Consumer.OnLayerDisconnectedAsync));

        // The backend may have lost the group memberships with the connection (a Redis restarted without
        // persistence): the consumer joins its groups again (a join renews one that survived), then hears of it.
        private async ValueTask OnReconnectedAsync(CancellationToken cancellationToken)
        {
            var consumer = _runner.Consumer;
            foreach (var group in consumer.Groups.ToArray())
            {
                try
                {
                    await _layer.GroupAddAsync(group, _runner.Scope.ChannelName, cancellationToken).ConfigureAwait(false);
                }
                catch (ChannelLayerException ex)
                {
                    // Lost again: the next reconnect joins again.
                    ConsumerLog.GroupRejoinFailed(_runner._logger, ex, _runner._consumerName, _runner.Scope.ChannelName, group);
                    return;
                }
            }

            await consumer.OnLayerReconnectedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a server event (a client's frame, a disconnect) on the consumer, taking turns with its handlers. A
    /// failure is logged and stops the consumer as <see cref="ConsumerStopReason.Faulted"/>.
    /// </summary>
    /// <returns><see langword="false"/> when the consumer has stopped or the event failed.</returns>
    internal async ValueTask<bool> RunEventAsync<TState>(TState state, Func<TState, CancellationToken, ValueTask> handler, string eventName)
    {
        if (_completion.Task.IsCompleted || StopReason is ConsumerStopReason.Faulted)
        {
            return false;
        }

        if (!_gate.Wait(0))
        {
            try
            {
                await _gate.WaitAsync(_abort.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                // The consumer stopped while the event waited its turn.
                return false;
            }
        }

        try
        {
            await handler(state, _abort.Token).ConfigureAwait(false);
            return true;
        }
        catch (ObjectDisposedException) when (_completion.Task.IsCompleted)
        {
            return false;
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            _metrics.Failed();
            ConsumerLog.HandlerFailed(_logger, ex, _consumerName, Scope.ChannelName, eventName);
            RequestStop(ConsumerStopReason.Faulted);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the consumer for <paramref name="reason"/> and cancels whatever handler or hook is running.</summary>
    internal void Abort(ConsumerStopReason reason)
    {
        RequestStop(reason);
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }
    }

    /// <summary>Stops the consumer for <paramref name="reason"/>; the first reason given wins.</summary>
    internal void RequestStop(ConsumerStopReason reason)
    {
        if (Interlocked.CompareExchange(ref _stopReason, (int)reason, NotStopping) != NotStopping)
        {
            return;
        }

        _stopReceiving.Cancel();
        if (reason == ConsumerStopReason.Shutdown)
        {
            // Graceful: handle what is already in the mailbox, then stop; cancel the handlers if that takes too long.
            if (_mailbox is not null)
            {
                _ = CloseMailboxAfterReceiveLoopAsync();
            }

            _abort.Token.UnsafeRegister(static state => ((ConsumerRunner)state!)._stopProcessing.Cancel(), this);
            _abort.CancelAfter(_options.DrainTimeout);
        }
        else
        {
            _stopProcessing.Cancel();
            _mailbox?.Writer.TryComplete();
        }
    }

    private async Task CloseMailboxAfterReceiveLoopAsync()
    {
        // The receive loop may hold a message it already took off the channel; let it land in the mailbox
        // before closing the mailbox, so a graceful shutdown loses nothing.
        await _receiveLoopDone!.Task.ConfigureAwait(false);
        _mailbox!.Writer.TryComplete();
    }

    // The loop of a runner without a mailbox: receive, handle, repeat, until stopping (an in-flight handler finishes
    // within the drain timeout); a consumer without a layer just waits to be stopped.
    private async Task ReceiveAndHandleAsync()
    {
        var token = _stopReceiving.Token;
        try
        {
            if (Layer is null)
            {
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
                return;
            }

            while (!token.IsCancellationRequested)
            {
                var message = await Layer.ReceiveAsync(Scope.ChannelName, token).ConfigureAwait(false);
                if (!await HandleAsync(message).ConfigureAwait(false))
                {
                    RequestStop(ConsumerStopReason.Faulted);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested || _stopProcessing.IsCancellationRequested)
        {
        }
        catch (ChannelLayerClosedException)
        {
            RequestStop(ConsumerStopReason.LayerClosed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConsumerLog.ReceiveFailed(_logger, ex, _consumerName, Scope.ChannelName);
            RequestStop(ConsumerStopReason.Faulted);
        }
        finally
        {
            _receiveLoopDone?.TrySetResult();
        }
    }

    private async Task ReceiveFromLayerAsync(ChannelLayer layer)
    {
        var token = _stopReceiving.Token;
        try
        {
            while (true)
            {
                var message = await layer.ReceiveAsync(Scope.ChannelName, token).ConfigureAwait(false);
                if (!await EnqueueAsync(message, CancellationToken.None).ConfigureAwait(false) && StopReason is not null)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (ChannelLayerClosedException)
        {
            RequestStop(ConsumerStopReason.LayerClosed);
        }
        catch (Exception ex)
        {
            ConsumerLog.ReceiveFailed(_logger, ex, _consumerName, Scope.ChannelName);
            RequestStop(ConsumerStopReason.Faulted);
        }
        finally
        {
            _receiveLoopDone?.TrySetResult();
        }
    }

    private async ValueTask<bool> EnqueueAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        if (_mailbox is null)
        {
            // No mailbox: the event is handled now, taking its turn with the handlers.
            if (StopReason is not null)
            {
                OnDropped(message, ConsumerMetrics.ReasonConsumerStopped, "the consumer is stopping");
                return false;
            }

            if (!await HandleAsync(message).ConfigureAwait(false))
            {
                RequestStop(ConsumerStopReason.Faulted);
            }

            return true;
        }

        var writer = _mailbox.Writer;
        if (writer.TryWrite(message))
        {
            return true;
        }

        if (StopReason is null)
        {
            switch (_options.MailboxFullMode)
            {
                case MailboxFullMode.Wait:
                    try
                    {
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
                        await writer.WriteAsync(message, linked.Token).ConfigureAwait(false);
                        return true;
                    }
                    catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
                    {
                        break;
                    }

                case MailboxFullMode.StopConsumer:
                    OnDropped(message, ConsumerMetrics.ReasonMailboxFull, "the mailbox was full and its policy stops the consumer");
                    RequestStop(ConsumerStopReason.MailboxFull);
                    return false;

                default:
                    OnDropped(message, ConsumerMetrics.ReasonMailboxFull, "the mailbox was full");
                    return false;
            }
        }

        OnDropped(message, ConsumerMetrics.ReasonConsumerStopped, "the consumer is stopping");
        return false;
    }

    private async Task ProcessMailboxAsync()
    {
        var reader = _mailbox!.Reader;
        var token = _stopProcessing.Token;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (!token.IsCancellationRequested && reader.TryRead(out var message))
                {
                    if (!await HandleAsync(message).ConfigureAwait(false))
                    {
                        RequestStop(ConsumerStopReason.Faulted);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    // Returns false when the handler failed and the consumer must stop.
    private async ValueTask<bool> HandleAsync(ChannelMessage message)
    {
        if (!_gate.Wait(0))
        {
            await _gate.WaitAsync(_stopProcessing.Token).ConfigureAwait(false);
        }

        using var activity = StartProcessActivity(message);
        try
        {
            if (_dispatcher.TryDispatch(message, _abort.Token, out var handling))
            {
                await handling.ConfigureAwait(false);
                _metrics.Handled();
            }
            else
            {
                _metrics.Unhandled();
                ConsumerLog.UnhandledMessage(_logger, _consumerName, Scope.ChannelName, message.Type);
                await Consumer.OnUnhandledMessageAsync(message, _abort.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Shutdown outlasted the drain timeout and cancelled this handler: not a handler fault.
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled by shutdown");
            return true;
        }
        catch (Exception ex)
        {
            _metrics.Failed();
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            ConsumerLog.HandlerFailed(_logger, ex, _consumerName, Scope.ChannelName, message.Type);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CleanUpAsync(ConsumerStopReason reason)
    {
        _mailbox?.Writer.TryComplete();
        while (_mailbox is not null && _mailbox.Reader.TryRead(out var undelivered))
        {
            OnDropped(undelivered, ConsumerMetrics.ReasonConsumerStopped, $"the consumer stopped ({reason}) before handling it");
        }

        using var cleanUpTimeout = new CancellationTokenSource(_options.DrainTimeout);
        foreach (var group in Consumer.TakeGroups())
        {
            if (Layer is null || Layer.IsClosed)
            {
                break;
            }

            try
            {
                await Layer.GroupDiscardAsync(group, Scope.ChannelName, cleanUpTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ConsumerLog.GroupDiscardFailed(_logger, ex, _consumerName, group);
            }
        }

        try
        {
            await Consumer.OnStoppedAsync(reason, cleanUpTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ConsumerLog.LifecycleHookFailed(_logger, ex, _consumerName, Scope.ChannelName, nameof(Consumer.OnStoppedAsync));
        }
    }

    private void OnDropped(ChannelMessage message, string reason, string why)
    {
        _metrics.Dropped(reason);
        ConsumerLog.MailboxDropped(_logger, _consumerName, Scope.ChannelName, message.Type, why);
    }

    private static Activity? StartProcessActivity(ChannelMessage message)
    {
        if (!SwitchyardDiagnostics.ActivitySource.HasListeners())
        {
            return null;
        }

        ActivityContext parent = default;
        if (message.Headers.TryGetValue(MessageHeaders.TraceParent, out var traceParent))
        {
            message.Headers.TryGetValue(MessageHeaders.TraceState, out var traceState);
            ActivityContext.TryParse(traceParent, traceState, isRemote: true, out parent);
        }

        var activity = SwitchyardDiagnostics.ActivitySource.StartActivity($"process {message.Type}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "switchyard");
        activity?.SetTag("messaging.operation.name", "process");
        activity?.SetTag("switchyard.message.type", message.Type);
        return activity;
    }
}
