using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.OutOfProcess.Internal;
using Switchyard.ChannelLayers.Specification;

namespace Switchyard.ChannelLayers.OutOfProcess;

/// <summary>
/// A channel layer whose backend layer runs in a layer host, a child process of its own: every operation is forwarded to
/// the host's layer, so tests (the conformance kit) exercise a layer exactly as a separate OS process uses it.
/// </summary>
/// <remarks>
/// <para><b>Names and capabilities</b> are the host layer's: new channel names are made in the host, so process-local
/// names belong to the host's process.</para>
/// <para><b>Receive and cancellation.</b> A cancelled receive asks the host to cancel its receive and then waits for the
/// host's answer. If the host's receive took a message before the cancel reached it, that message is returned to the
/// caller (the cancel lost the race, as it can in process); it is never dropped on the way back. So a receive that
/// ends cancelled took nothing, and nothing a receive took is lost. A token that is cancelled before the call throws
/// at once, without asking the host.</para>
/// <para><b>Time.</b> Every call carries the parent's <see cref="TimeProvider.GetUtcNow"/>; the host's manual clock moves
/// to it (forward only) before the call starts. When the clock is a <see cref="ManualTimeProvider"/>, each
/// <see cref="ManualTimeProvider.Advance"/> is also sent at once, so the host's timers (expiry, the full-member
/// timeout) fire when a test moves time and then only waits.</para>
/// <para><b>Metrics</b> are the host layer's, all of them: what it records on its meters is relayed and recorded on the
/// meter factory given here, once, before the answer of the call during which it was recorded. This layer's own base
/// class counts into a private meter factory nobody reads, so nothing is counted twice.</para>
/// <para><b>Forwarders</b> attached here are offered the host's deliveries: each offer is a round trip to the
/// forwarder here (which decides: its types, its full state), and the host's waits for room wait for this forwarder's
/// room. The host hands the forwarders of one group send one message instance; so does this side.</para>
/// <para><b>Failures.</b> When the host dies, pending and later calls fail with <see cref="LayerHostException"/> quoting
/// the end of its standard error, and <see cref="IsConnected"/> turns false. Closing ends the host; a host that does not
/// exit with 0 makes <see cref="ChannelLayer.CloseAsync"/> throw.</para>
/// </remarks>
public sealed class OutOfProcessChannelLayer : ChannelLayer
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(15);

    private readonly HostLink _link;
    private readonly TestMeterFactory _uncounted;
    private readonly ManualTimeProvider? _clock;
    private readonly Lock _eventLock = new();
    private Task _events = Task.CompletedTask;
    private volatile bool _connected;

    private OutOfProcessChannelLayer(
        string name, ChannelLayerCapabilities capabilities, bool connected, ChannelLayerOptions options, TimeProvider timeProvider, HostLink link, TestMeterFactory uncounted)
        : base(name, options, timeProvider, loggerFactory: null, meterFactory: uncounted)
    {
        // Presence is not proxied: its events come from the layer instance members join through, and the kit's presence
        // tests run against each layer in this process (the Redis crash test uses real server processes).
        Capabilities = capabilities & ~ChannelLayerCapabilities.Presence;
        _connected = connected;
        _link = link;
        _uncounted = uncounted;
        _link.ConnectionChanged += OnHostConnectionChanged;
        _clock = timeProvider as ManualTimeProvider;
        if (_clock is not null)
        {
            _clock.Advanced += OnClockAdvanced;
        }
    }

    /// <inheritdoc />
    public override ChannelLayerCapabilities Capabilities { get; }

    /// <inheritdoc />
    /// <remarks>The host layer's connection state; <see langword="false"/> once the host has died.</remarks>
    public override bool IsConnected => _connected && _link.Crash is null;

    /// <summary>Gets the process id of the layer host.</summary>
    public int HostProcessId => _link.ProcessId;

    /// <summary>Starts a layer in a layer host taken from <paramref name="pool"/>.</summary>
    /// <param name="pool">Where started hosts wait.</param>
    /// <param name="command">Which host, layer kind and arguments.</param>
    /// <param name="options">The layer's options; the host's layer gets all of them.</param>
    /// <param name="timeProvider">The clock the host's clock follows; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="meterFactory">Where the host layer's metrics are recorded; a meter of its own when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="LayerHostException">The host could not start, died, or its layer could not be created.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<OutOfProcessChannelLayer> StartAsync(
        LayerHostPool pool,
        LayerHostCommand command,
        ChannelLayerOptions options,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        timeProvider ??= TimeProvider.System;

        var link = new HostLink(pool.Take(command), timeProvider, meterFactory);
        link.Start();
        try
        {
            var (name, capabilities, connected) = await link.CreateAsync(options, StartTimeout, cancellationToken).ConfigureAwait(false);
            return new OutOfProcessChannelLayer(name, capabilities, connected, options, timeProvider, link, new TestMeterFactory());
        }
        catch
        {
            link.Abort();
            throw;
        }
    }

    /// <inheritdoc />
    protected override async ValueTask SendCoreAsync(string channel, ChannelMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _link.CallAsync(
            Operation.Send,
            frame =>
            {
                frame.WriteString(channel);
                frame.WriteMessage(message);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask<ChannelMessage> ReceiveCoreAsync(string channel, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var answer = await _link.CallAsync(Operation.Receive, frame => frame.WriteString(channel), cancellationToken).ConfigureAwait(false);
        return answer.ReadMessage();
    }

    /// <inheritdoc />
    protected override async ValueTask<string> NewChannelCoreAsync(string prefix, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var answer = await _link.CallAsync(Operation.NewChannel, frame => frame.WriteString(prefix), cancellationToken).ConfigureAwait(false);
        return answer.ReadString();
    }

    /// <inheritdoc />
    protected override async ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _link.CallAsync(
            Operation.GroupAdd,
            frame =>
            {
                frame.WriteString(group);
                frame.WriteString(channel);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _link.CallAsync(
            Operation.GroupDiscard,
            frame =>
            {
                frame.WriteString(group);
                frame.WriteString(channel);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var answer = await _link.CallAsync(
            Operation.GroupSend,
            frame =>
            {
                frame.WriteString(group);
                frame.WriteMessage(message);
            },
            cancellationToken).ConfigureAwait(false);
        return new GroupSendResult(answer.ReadInt32(), answer.ReadInt32());
    }

    /// <inheritdoc />
    protected override async ValueTask<long> GroupMemberCountCoreAsync(string group, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var answer = await _link.CallAsync(Operation.GroupMemberCount, frame => frame.WriteString(group), cancellationToken).ConfigureAwait(false);
        return answer.ReadInt64();
    }

    /// <inheritdoc />
    protected override async ValueTask<GroupMemberPage> GroupMembersCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var answer = await _link.CallAsync(
            Operation.GroupMembers,
            frame =>
            {
                frame.WriteString(group);
                frame.WriteString(cursor);
                frame.WriteInt32(pageSize);
            },
            cancellationToken).ConfigureAwait(false);
        var channels = new string[answer.ReadInt32()];
        for (var i = 0; i < channels.Length; i++)
        {
            channels[i] = answer.ReadString();
        }

        return new GroupMemberPage(channels, answer.ReadNullableString());
    }

    /// <inheritdoc />
    protected override async ValueTask<GroupHistory> GroupHistoryCoreAsync(string group, GroupHistoryRule rule, GroupPosition? since, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var answer = await _link.CallAsync(
            Operation.GroupHistory,
            frame =>
            {
                frame.WriteString(group);
                frame.WriteBoolean(since.HasValue);
                if (since is { } position)
                {
                    frame.WritePosition(position);
                }
            },
            cancellationToken).ConfigureAwait(false);
        var loss = (GroupHistoryLoss)answer.ReadInt32();
        var latest = answer.ReadPosition();
        var messages = new ChannelMessage[answer.ReadInt32()];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = answer.ReadMessage();
        }

        return new GroupHistory(messages, latest, loss);
    }

    /// <inheritdoc />
    protected override async ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _link.CallAsync(Operation.Flush, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Attaches in the host before it returns, so the next send already meets the forwarder.</remarks>
    protected override IDisposable AttachForwarderCore(string channel, IChannelForwarder forwarder) => _link.Attach(channel, forwarder);

    /// <inheritdoc />
    protected override async ValueTask CloseCoreAsync()
    {
        if (_clock is not null)
        {
            _clock.Advanced -= OnClockAdvanced;
        }

        try
        {
            await _link.CloseAsync(CloseTimeout).ConfigureAwait(false);
        }
        finally
        {
            _uncounted.Dispose();
        }
    }

    private void OnClockAdvanced(object? sender, EventArgs e) => _link.PostTime();

    // On the connection's reader thread: handlers run on the pool, one change after another.
    private void OnHostConnectionChanged(bool isConnected, Exception? error)
    {
        _connected = isConnected;
        lock (_eventLock)
        {
            _events = _events.ContinueWith(_ => OnConnectionChanged(isConnected, error), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }
}
