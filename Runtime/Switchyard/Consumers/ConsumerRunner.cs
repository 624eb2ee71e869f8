using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Internal;

namespace Switchyard;

/// <summary>
/// Runs one consumer instance: receives one message from its channel, hands it to the consumer's handlers, and only
/// then receives the next. What the server hands over directly (<see cref="PostAsync"/>) takes its turn in between.
/// </summary>
/// <remarks>
/// <para>The runner holds no queue of its own: until the consumer is free, a message waits on its channel, within the
/// channel layer's capacity (Django Channels' way). An idle consumer holds nothing, and a busy worker leaves the next
/// message of a named channel to a sibling.</para>
/// <para>Lifecycle: the consumer joins the groups of its group rules, <see cref="Consumer.OnStartedAsync"/> runs, then
/// messages in arrival order; then — whatever ended it — the consumer leaves its groups and
/// <see cref="Consumer.OnStoppedAsync"/> runs. An exception in a handler is logged and stops that consumer cleanly
/// (<see cref="ConsumerStopReason.Faulted"/>); it never escapes to the process.</para>
/// <para>Shutdown (the token given to <see cref="RunAsync"/>) stops receiving — a cancelled receive takes nothing off
/// the channel, so the messages there wait for the next consumer — and lets the handler in flight finish within
/// <see cref="ConsumerOptions.DrainTimeout"/>, then cancels it.</para>
/// </remarks>
public sealed class ConsumerRunner
{
    private const int NotStopping = -1;

    private readonly IConsumerDispatcher _dispatcher;
    private readonly ConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly ConsumerMetrics _metrics;
    private readonly string _consumerName;

    // The consumer's channel when it is a named one (a worker's); null for a connection's process-local channel.
    private readonly string? _namedChannel;
    private readonly CancellationTokenSource _stopReceiving = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource<ConsumerStopReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Handlers take turns: channel messages, posted messages, server events and the lifecycle hooks hold this gate. It
    // starts taken, so nothing is handled before the start hook has run, and the stop path takes it for good, so
    // nothing is handled beside or after the stop hook.
    private readonly SemaphoreSlim _gate = new(0, 1);
    private int _stopReason = NotStopping;
    private GroupResumeTracker? _resumes;
    private int _started;

    /// <summary>Creates a runner for one consumer instance.</summary>
    /// <param name="consumer">The consumer; its generated half must implement <see cref="IConsumerDispatcher"/>.</param>
    /// <param name="scope">The consumer's scope; <see cref="ConsumerScope.ChannelName"/> is the channel it receives on.</param>
    /// <param name="layer">The channel layer to receive from and act on, or <see langword="null"/> for a consumer fed only by <see cref="PostAsync"/>.</param>
    /// <param name="options">The drain timeout; defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log events go.</param>
    /// <param name="meterFactory">Where metrics go.</param>
    /// <exception cref="InvalidOperationException">The consumer has no generated dispatcher, or is already run by another runner.</exception>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="ConsumerOptions.Validate"/>).</exception>
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
        _namedChannel = ChannelNames.IsProcessLocal(scope.ChannelName) ? null : scope.ChannelName;
        _logger = (ILogger?)loggerFactory?.CreateLogger("Switchyard.Consumer") ?? NullLogger.Instance;
        _metrics = SwitchyardDiagnostics.GetConsumerMetrics(meterFactory);
        consumer.Attach(this);
    }

    /// <summary>Gets the consumer instance.</summary>
    public Consumer Consumer { get; }

    /// <summary>Gets the consumer's scope.</summary>
    public ConsumerScope Scope { get; }

    /// <summary>Gets the channel layer, if any.</summary>
    public ChannelLayer? Layer { get; }

    /// <summary>
    /// Gets or sets how a replay waits for its client to take more (a connection's send queue with room): a resumed
    /// group can replay more messages than the queue holds, and a replay must not look like a slow client.
    /// </summary>
    internal Func<CancellationToken, ValueTask>? WaitForOutputRoom { get; set; }

    /// <summary>Gets or sets how a replayed message of a forwarded type is sent as the forwarding path would; false when it is not one.</summary>
    internal Func<ChannelMessage, bool>? ForwardReplayed { get; set; }

    /// <summary>Gets or sets who is told, once, when the consumer has stopped (its connection, which closes with a code that says why).</summary>
    internal IConsumerStopObserver? StopObserver { get; set; }

    /// <summary>Gets a task that completes with the stop reason when the consumer has fully stopped.</summary>
    public Task<ConsumerStopReason> Completion => _completion.Task;

    private ConsumerStopReason? StopReason => Volatile.Read(ref _stopReason) is var r and not NotStopping ? (ConsumerStopReason)r : null;

    /// <summary>Runs the consumer until it stops.</summary>
    /// <param name="stoppingToken">Begins a graceful shutdown: nothing more is received, and the handler in flight has the drain timeout to finish.</param>
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
    /// Hands the consumer a message from outside the channel layer (an HTTP body, a server's own event) and returns
    /// once a handler has taken it, in turn with the consumer's other handlers (after the start hook, after the
    /// handler in flight).
    /// </summary>
    /// <remarks>The call waits for the handler in flight, so a handler must not post to its own consumer.</remarks>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Stops waiting for the consumer's turn; the handler itself gets the consumer's own token.</param>
    /// <returns>
    /// <see langword="true"/> when the message was handled (a handler that throws is logged and stops the consumer as
    /// <see cref="ConsumerStopReason.Faulted"/>); <see langword="false"/> when the consumer is stopping or stopped and
    /// refused it (counted and logged as dropped).
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the message's turn came; it was not handled.</exception>
    public ValueTask<bool> PostAsync(ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return HandleAsync(message, posted: true, cancellationToken);
    }

    /// <summary>
    /// Stops the consumer once the handler in flight returns: nothing more is received or posted, and the messages
    /// still on its channel stay there.
    /// </summary>
    public void Stop() => RequestStop(ConsumerStopReason.Requested);

    private async Task<ConsumerStopReason> RunCoreAsync(CancellationToken stoppingToken)
    {
        _metrics.Started();
        ConsumerLog.Started(_logger, _consumerName, Scope.ChannelName);
        ConsumerStopReason reason;
        try
        {
            await StartAsync().ConfigureAwait(false);
            using (stoppingToken.UnsafeRegister(static state => ((ConsumerRunner)state!).RequestStop(ConsumerStopReason.Shutdown), this))
            using (WatchLayerConnection())
            {
                await ReceiveAndHandleAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            // Every way out has set a reason already; this one is for an exception nobody expected.
            RequestStop(ConsumerStopReason.Requested);

            // The handler or server event in flight finishes first: the stop hook never runs beside a handler.
            await _gate.WaitAsync().ConfigureAwait(false);
            reason = StopReason!.Value;
            await CleanUpAsync(reason).ConfigureAwait(false);
            StopObserver?.OnConsumerStopped(reason);
            _metrics.Stopped();
            ConsumerLog.Stopped(_logger, _consumerName, Scope.ChannelName, reason);
            _stopReceiving.Dispose();
            _abort.Dispose();
            _completion.TrySetResult(reason);

            // Whatever waited for a turn meanwhile now finds the consumer stopped.
            _gate.Release();
        }

        return reason;
    }

    // Joins the groups of the consumer's group rules and runs its start hook, holding the gate (taken since construction).
    private async Task StartAsync()
    {
        try
        {
            // The user's group is the framework's: no join filter is asked.
            if (Scope.UserId is { } userId)
            {
                await Consumer.JoinGroupInternalAsync(UserGroups.For(userId), _abort.Token, filtered: false).ConfigureAwait(false);
            }

            if (Consumer is IConsumerGroupRules rules)
            {
                foreach (var group in rules.GetGroups(Scope))
                {
                    await Consumer.JoinGroupInternalAsync(group, _abort.Token).ConfigureAwait(false);
                }
            }

            await Consumer.OnStartedAsync(_abort.Token).ConfigureAwait(false);
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
        finally
        {
            _gate.Release();
        }
    }

    // Receive, handle, repeat, until the consumer stops. A consumer without a layer just waits to be stopped.
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
                // A receive cancelled by a stop takes nothing off the channel (the layer contract): nothing is lost here.
                // The stop is seen without an exception: every connection that closes cancels the receive it waits in,
                // and 10,000 closing at once would otherwise throw (and rethrow) 10,000 OperationCanceledExceptions.
                var pending = Layer.ReceiveUncountedAsync(Scope.ChannelName, token);
                if (!pending.IsCompleted)
                {
                    await new ReceiveCompletion(pending);
                }

                if (pending.IsCanceled && token.IsCancellationRequested)
                {
                    return;
                }

                var message = pending.Result;
                Layer.CountReceived();
                await HandleAsync(message, posted: false, CancellationToken.None).ConfigureAwait(false);
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
    }

    // Awaits a receive's completion without taking its result (so without throwing when it was cancelled), off the
    // caller's context; the caller then reads its status.
    private readonly struct ReceiveCompletion(ValueTask<ChannelMessage> pending) : ICriticalNotifyCompletion
    {
        public bool IsCompleted => pending.IsCompleted;

        public ReceiveCompletion GetAwaiter() => this;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => pending.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);

        public void UnsafeOnCompleted(Action continuation) => pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
    }

    // Tells the consumer when the layer loses its connection and when it is back, in turn with its handlers.
    private LayerConnectionWatch? WatchLayerConnection() => Layer is null ? null : new LayerConnectionWatch(this, Layer);

    private sealed class LayerConnectionWatch : ChannelLayerConnectionWatch, IDisposable
    {
        // A rejoin that fails while the layer stays connected (a command timed out, say) is tried again, from half a
        // second doubling to 30 s, rather than leaving the consumer out of its groups until the layer's next reconnect.
        private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
        private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

        private readonly ConsumerRunner _runner;
        private readonly ChannelLayer _layer;
        private readonly CancellationTokenSource _disposed = new();

        // Counts the layer's changes: a retry of an older reconnect's rejoin gives way to what came since.
        private int _changes;

        public LayerConnectionWatch(ConsumerRunner runner, ChannelLayer layer)
        {
            _runner = runner;
            _layer = layer;
            layer.AddConnectionWatch(this);
        }

        public void Dispose()
        {
            _layer.RemoveConnectionWatch(this);
            _disposed.Cancel();
            _disposed.Dispose();
        }

        public override void OnConnectionChanged(ChannelLayerConnectionEventArgs args)
        {
            var change = Interlocked.Increment(ref _changes);
            _ = args.IsConnected
                ? Rejoin(change, attempt: 0)
                : _runner.RunEventAsync(
                    (Runner: _runner, args.Error),
                    static (state, token) => state.Runner.Consumer.OnLayerDisconnectedAsync(state.Error, token),
                    nameof(Consumer.OnLayerDisconnectedAsync));
        }

        private ValueTask<bool> Rejoin(int change, int attempt) =>
            _runner.RunEventAsync(
                (Watch: this, Change: change, Attempt: attempt),
                static (state, token) => state.Watch.OnReconnectedAsync(state.Change, state.Attempt, token),
                nameof(Consumer.OnLayerReconnectedAsync));

        // The backend may have lost the group memberships with the connection (a Redis restarted without
        // persistence): the consumer joins its groups again (a join renews one that survived), then hears of it.
        private async ValueTask OnReconnectedAsync(int change, int attempt, CancellationToken cancellationToken)
        {
            if (attempt > 0 && change != Volatile.Read(ref _changes))
            {
                // A retry, and the layer changed again meanwhile: that change's own event does this.
                return;
            }

            var consumer = _runner.Consumer;
            foreach (var group in consumer.Groups.ToArray())
            {
                try
                {
                    await consumer.AddToGroupAsync(group, cancellationToken).ConfigureAwait(false);
                }
                catch (ChannelLayerException ex)
                {
                    var delay = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, FirstRetry.Ticks << Math.Min(attempt, 6)));
                    ConsumerLog.GroupRejoinFailed(_runner._logger, ex, _runner._consumerName, _runner.Scope.ChannelName, group, delay.TotalSeconds);
                    _ = RetryAsync(change, attempt + 1, delay);
                    return;
                }
            }

            await consumer.OnLayerReconnectedAsync(cancellationToken).ConfigureAwait(false);
        }

        // After the delay, while the layer is still connected since that reconnect: every group again (a join renews).
        private async Task RetryAsync(int change, int attempt, TimeSpan delay)
        {
            try
            {
                await Task.Delay(delay, _disposed.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                // The consumer has stopped.
                return;
            }

            if (change == Volatile.Read(ref _changes) && _layer.IsConnected)
            {
                await Rejoin(change, attempt).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs a server event (a client's frame, a disconnect) on the consumer, taking turns with its handlers. Unlike a
    /// posted message, an event still runs while the consumer is stopping, until the stop hook; a failure is logged and
    /// stops the consumer as <see cref="ConsumerStopReason.Faulted"/>.
    /// </summary>
    /// <returns><see langword="false"/> when the consumer has stopped or the event failed.</returns>
    internal async ValueTask<bool> RunEventAsync<TState>(TState state, Func<TState, CancellationToken, ValueTask> handler, string eventName)
    {
        if (!MayRunEvent())
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
                // Aborted, or past the drain timeout, while the event waited its turn.
                return false;
            }
        }

        try
        {
            if (!MayRunEvent())
            {
                return false;
            }

            await handler(state, _abort.Token).ConfigureAwait(false);
            return true;
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

        try
        {
            _stopReceiving.Cancel();
            if (reason == ConsumerStopReason.Shutdown)
            {
                // Graceful: the handler in flight may finish within the drain timeout; then it is cancelled.
                _abort.CancelAfter(_options.DrainTimeout);
            }
        }
        catch (ObjectDisposedException)
        {
            // The runner finished meanwhile.
        }
    }

    // Handles one message in its turn; false when it was refused because the consumer is stopping (counted and logged).
    private async ValueTask<bool> HandleAsync(ChannelMessage message, bool posted, CancellationToken cancellationToken)
    {
        if (posted && StopReason is not null)
        {
            OnDropped(message);
            return false;
        }

        if (!_gate.Wait(0))
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (!MayHandle(posted))
            {
                OnDropped(message);
                return false;
            }

            if (message.Type == UserGroups.DisconnectMessageType && Scope.UserId is not null)
            {
                ConsumerLog.UserDisconnected(_logger, _consumerName, Scope.ChannelName);
                RequestStop(ConsumerStopReason.UserDisconnected);
                return true;
            }

            if (Volatile.Read(ref _resumes)?.IsDuplicate(message) == true)
            {
                // Handled already, in the replay of a group this consumer resumed.
                return true;
            }

            // Where the message was sent, as far as this consumer can tell: the group (named by a group send while traces
            // have a listener, and by every send to a group with a history), else the consumer's channel; none for a
            // posted message, which came from outside the layer.
            var group = message.Headers.TryGetValue(MessageHeaders.Group, out var name) ? name : null;
            var onChannel = group is null && !posted;
            var destination = group ?? (onChannel ? Scope.ChannelName : null);
            // The duration's destination only when it is this consumer's named channel: a connection's channel or a
            // group is named per connection, room or user, too many values for a metric's tag.
            var trace = StartProcessing(message, destination, onChannel ? _namedChannel : null);
            try
            {
                await DispatchAsync(message).ConfigureAwait(false);
                trace.Done();
            }
            catch (OperationCanceledException ex) when (_abort.IsCancellationRequested)
            {
                // Shutdown outlasted the drain timeout and cancelled this handler: not a handler fault.
                trace.Done(ex, "cancelled by shutdown");
            }
            catch (Exception ex)
            {
                _metrics.Failed();
                trace.Done(ex);
                ConsumerLog.HandlerFailed(_logger, ex, _consumerName, Scope.ChannelName, message.Type);
                RequestStop(ConsumerStopReason.Faulted);
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Hands one message to its handler (or to OnUnhandledMessageAsync); the caller holds the gate.
    private async ValueTask DispatchAsync(ChannelMessage message)
    {
        var outer = Consumer.CurrentMessageSlot;
        Consumer.CurrentMessageSlot = message;
        try
        {
            if (_dispatcher.TryDispatch(message, _abort.Token, out var handling))
            {
                await handling.ConfigureAwait(false);
                _metrics.Handled();
            }
            else if (message.Type != PresenceEvent.MessageType)
            {
                // Presence events reach every member of a presence group; a consumer without a handler for them does not care.
                _metrics.Unhandled();
                ConsumerLog.UnhandledMessage(_logger, _consumerName, Scope.ChannelName, message.Type);
                await Consumer.OnUnhandledMessageAsync(message, _abort.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            Consumer.CurrentMessageSlot = outer;
        }
    }

    /// <summary>
    /// Joins <paramref name="group"/> and hands the consumer's handlers the messages sent to it after
    /// <paramref name="since"/>, oldest first, before any live message of the group; live messages already handled in
    /// that replay are dropped. Runs in the caller's turn (a handler or hook).
    /// </summary>
    internal async ValueTask<GroupResume> JoinAndResumeAsync(string group, GroupPosition? since, CancellationToken cancellationToken)
    {
        var layer = Layer ?? throw new InvalidOperationException($"{_consumerName} has no channel layer to join a group on.");
        if (layer.Options.GetGroupHistory(group) is null)
        {
            // Refused before joining: the consumer is not left in a group it asked to resume and could not.
            throw new InvalidOperationException(
                $"{_consumerName} cannot resume the group '{group}': it keeps no history. Add a {nameof(ChannelLayerOptions.GroupHistory)} rule that matches it, or join it with JoinGroupAsync(group).");
        }

        if (since is null)
        {
            await Consumer.JoinGroupInternalAsync(group, cancellationToken).ConfigureAwait(false);
            var latest = await layer.GroupHistoryAsync(group, null, cancellationToken).ConfigureAwait(false);
            return new GroupResume(latest.Position, 0, GroupHistoryLoss.None);
        }

        var resumes = Volatile.Read(ref _resumes) ?? Interlocked.CompareExchange(ref _resumes, new GroupResumeTracker(), null) ?? _resumes!;
        resumes.BeginHolding(group);
        try
        {
            // Joined first, then the history read: a message sent in between is both live and in the history, and the
            // live copy is dropped as a duplicate; nothing falls between the two.
            await Consumer.JoinGroupInternalAsync(group, cancellationToken).ConfigureAwait(false);
            var history = await layer.GroupHistoryAsync(group, since, cancellationToken).ConfigureAwait(false);
            foreach (var message in history.Messages)
            {
                await ReplayAsync(message).ConfigureAwait(false);
            }

            // The live messages the forwarding path held back meanwhile, then live as usual.
            while (resumes.EndHolding(group, history.Recovered ? history.Position : null) is { } held)
            {
                foreach (var message in held)
                {
                    await ReplayAsync(message).ConfigureAwait(false);
                }
            }

            return new GroupResume(history.Position, history.Messages.Count, history.Loss);
        }
        catch
        {
            resumes.Forget(group);
            throw;
        }
    }

    private async ValueTask ReplayAsync(ChannelMessage message)
    {
        if (WaitForOutputRoom is { } waitForRoom)
        {
            await waitForRoom(_abort.Token).ConfigureAwait(false);
        }

        // A forwarded type goes out as the forwarding path sends it live (with its position), not through its handler.
        if (ForwardReplayed?.Invoke(message) != true)
        {
            await DispatchAsync(message).ConfigureAwait(false);
        }
    }

    /// <summary>For the forwarding path: what to do with a live message while this consumer resumes a group.</summary>
    internal GroupResumeTracker.Verdict ForwardingVerdict(ChannelMessage message) =>
        Volatile.Read(ref _resumes) is { } resumes ? resumes.Forwarding(message) : GroupResumeTracker.Verdict.Pass;

    /// <summary>Forgets a group's resume state (the consumer left the group).</summary>
    internal void ForgetResume(string group) => Volatile.Read(ref _resumes)?.Forget(group);

    // Once stopping, a posted message is refused (its sender hears false). A message already taken off the channel
    // cannot go back: a graceful shutdown still handles it while the drain lasts; any other stop drops it.
    private bool MayHandle(bool posted) => StopReason switch
    {
        null => true,
        ConsumerStopReason.Shutdown => !posted && !_abort.IsCancellationRequested,
        _ => false,
    };

    private bool MayRunEvent() => !_completion.Task.IsCompleted && StopReason is not ConsumerStopReason.Faulted;

    private async Task CleanUpAsync(ConsumerStopReason reason)
    {
        // The drain timeout's timer starts only when a step has to wait: the steps of most stops (the in-memory layer's
        // discards, an empty stop hook) complete at once, and a mass close then creates no timer per consumer.
        using var cleanUpTimeout = new CancellationTokenSource();
        var timing = _options.DrainTimeout == TimeSpan.Zero;
        if (timing)
        {
            cleanUpTimeout.Cancel();
        }

        foreach (var group in Consumer.TakeGroups())
        {
            if (Layer is null || Layer.IsClosed)
            {
                break;
            }

            try
            {
                var discard = Layer.GroupDiscardAsync(group, Scope.ChannelName, cleanUpTimeout.Token);
                if (!discard.IsCompleted)
                {
                    StartCleanUpTimer(cleanUpTimeout, ref timing);
                }

                await discard.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ConsumerLog.GroupDiscardFailed(_logger, ex, _consumerName, group);
            }
        }

        try
        {
            var stopped = Consumer.OnStoppedAsync(reason, cleanUpTimeout.Token);
            if (!stopped.IsCompleted)
            {
                StartCleanUpTimer(cleanUpTimeout, ref timing);
            }

            await stopped.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ConsumerLog.LifecycleHookFailed(_logger, ex, _consumerName, Scope.ChannelName, nameof(Consumer.OnStoppedAsync));
        }
    }

    private void StartCleanUpTimer(CancellationTokenSource cleanUpTimeout, ref bool timing)
    {
        if (!timing)
        {
            timing = true;
            cleanUpTimeout.CancelAfter(_options.DrainTimeout);
        }
    }

    private void OnDropped(ChannelMessage message)
    {
        _metrics.Dropped(ConsumerMetrics.ReasonConsumerStopped);
        ConsumerLog.MessageDropped(_logger, _consumerName, Scope.ChannelName, message.Type, StopReason ?? ConsumerStopReason.Requested);
    }

    // Starts the span and the duration of a message from the channel or posted; nothing while nobody listens.
    private ProcessTrace StartProcessing(ChannelMessage message, string? destination, string? namedChannel)
    {
        Activity? activity = null;
        if (SwitchyardDiagnostics.ActivitySource.HasListeners())
        {
            ActivityContext parent = default;
            if (message.Headers.TryGetValue(MessageHeaders.TraceParent, out var traceParent))
            {
                message.Headers.TryGetValue(MessageHeaders.TraceState, out var traceState);
                ActivityContext.TryParse(traceParent, traceState, isRemote: true, out parent);
            }

            activity = StartProcessActivity(parent, destination, message.Type, message.Payload.Length);
            if (activity is not null && message.Headers.TryGetValue(MessageHeaders.MessageId, out var id))
            {
                activity.SetTag(MessagingConventions.MessageIdAttribute, id);
            }
        }

        var started = _metrics.StartProcessing();
        return activity is null && started == 0 ? default : new ProcessTrace(_metrics, _consumerName, message.Type, namedChannel, activity, started);
    }

    /// <summary>
    /// Starts the span and the duration of a client's frame that a JSON consumer hands to its handler (called before
    /// its dispatch, so the handler runs inside the span); nothing while nobody listens, so the frame's type is made a
    /// string only then.
    /// </summary>
    /// <param name="type">The frame's <c>type</c>, in UTF-8.</param>
    /// <param name="requestId">The frame's <c>$id</c>, or 0 when it has none.</param>
    /// <param name="size">The frame's length in bytes.</param>
    /// <returns>The trace to end when the handler has finished.</returns>
    internal ProcessTrace StartClientFrame(ReadOnlySpan<byte> type, long requestId, int size)
    {
        var tracing = SwitchyardDiagnostics.ActivitySource.HasListeners();
        var started = _metrics.StartProcessing();
        if (!tracing && started == 0)
        {
            return default;
        }

        var messageType = Encoding.UTF8.GetString(type);
        Activity? activity = null;
        if (tracing)
        {
            // The frame came over the connection, not a channel: its destination is the connection's channel, and its
            // parent whatever is current (the connection's HTTP request, when ASP.NET Core's requests are traced).
            activity = StartProcessActivity(default, Scope.ChannelName, messageType, size);
            if (activity is not null && requestId != 0)
            {
                // The client protocol's $id: unique on its connection only.
                activity.SetTag(MessagingConventions.MessageIdAttribute, requestId.ToString(CultureInfo.InvariantCulture));
            }
        }

        return new ProcessTrace(_metrics, _consumerName, messageType, null, activity, started);
    }

    private Activity? StartProcessActivity(ActivityContext parent, string? destination, string messageType, int size)
    {
        var temporary = destination is not null && MessagingConventions.IsTemporary(destination);
        var activity = SwitchyardDiagnostics.ActivitySource.StartActivity(
            MessagingConventions.SpanName(MessagingConventions.ProcessOperation, destination, temporary), ActivityKind.Consumer, parent);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(MessagingConventions.SystemAttribute, MessagingConventions.System);
        activity.SetTag(MessagingConventions.OperationNameAttribute, MessagingConventions.ProcessOperation);
        activity.SetTag(MessagingConventions.OperationTypeAttribute, MessagingConventions.ProcessType);
        if (destination is not null)
        {
            MessagingConventions.SetDestination(activity, destination, temporary);
        }

        activity.SetTag(MessagingConventions.MessageBodySizeAttribute, size);
        activity.SetTag(MessagingConventions.MessageTypeAttribute, messageType);
        activity.SetTag(MessagingConventions.ConsumerAttribute, _consumerName);
        return activity;
    }
}
