using System.Buffers.Text;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Internal;

namespace Switchyard;

/// <summary>
/// The channel-layer contract: named FIFO channels, groups of channels, and the semantics every backend keeps
/// (capacity, expiry, group expiry, message size, name rules). Backends (in-memory, Redis, IPC) derive from it
/// and implement the <c>...CoreAsync</c> members; this class validates arguments, enforces the message size,
/// propagates trace context and records metrics once for all of them.
/// </summary>
/// <remarks>
/// <para>Every operation throws <see cref="ChannelLayerClosedException"/> once the layer is closed, and
/// <see cref="ArgumentException"/> naming the bad name for invalid channel or group names.</para>
/// <para>Delivery is at most once. A message that expires or meets a full channel is never lost silently: it is
/// counted in <see cref="ChannelLayerMetrics"/> and logged.</para>
/// </remarks>
public abstract class ChannelLayer : IAsyncDisposable
{
    private int _closed;
    private PresenceNotifier? _presenceEvents;
    private System.Collections.Concurrent.ConcurrentDictionary<string, IChannelForwarder>? _forwarders;
    private readonly GroupSkipLog _skipLog;
    private readonly Lock _watchLock = new();
    private readonly IntrusiveList<ChannelLayerConnectionWatch> _watches = new();

    /// <summary>Creates the layer.</summary>
    /// <param name="name">The backend's short name (<c>inmemory</c>, <c>redis</c>), used in metrics, logs and messages.</param>
    /// <param name="options">The semantics to enforce; validated here.</param>
    /// <param name="timeProvider">The clock for expiry; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log events go; none when <see langword="null"/>.</param>
    /// <param name="meterFactory">Where metrics go; a process-wide meter when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    protected ChannelLayer(
        string name,
        ChannelLayerOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        Options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = (ILogger?)loggerFactory?.CreateLogger("Switchyard.ChannelLayer." + name) ?? NullLogger.Instance;
        Metrics = new ChannelLayerMetrics(SwitchyardDiagnostics.GetMeter(meterFactory), name);
        _skipLog = new GroupSkipLog(Logger, TimeProvider);
    }

    /// <summary>Gets the backend's short name.</summary>
    public string Name { get; }

    /// <summary>Gets the semantics this layer enforces.</summary>
    public ChannelLayerOptions Options { get; }

    /// <summary>Gets what this layer supports beyond send and receive.</summary>
    public abstract ChannelLayerCapabilities Capabilities { get; }

    /// <summary>
    /// Gets a value indicating whether the layer is connected to its backend. Always <see langword="true"/> for layers
    /// without one (in-memory); a remote layer (Redis) is not while a server it needs is away.
    /// </summary>
    public virtual bool IsConnected => true;

    /// <summary>
    /// Raised when the layer loses its connection to its backend and when it has it back (remote layers). Consumers
    /// hear of it through <see cref="Consumer.OnLayerDisconnectedAsync"/> and <see cref="Consumer.OnLayerReconnectedAsync"/>.
    /// Raised on a thread-pool thread; a handler that throws is logged and does not stop the others.
    /// </summary>
    public event EventHandler<ChannelLayerConnectionEventArgs>? ConnectionChanged;

    /// <summary>Gets whether <see cref="CloseAsync"/> has been called.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>
    /// Reports whether the layer can do its work now: what <see cref="ChannelLayerHealthCheck"/> (registered by
    /// <c>AddSwitchyard()</c>, served by <c>MapHealthChecks</c>) answers. The base answers unhealthy when the layer is
    /// closed or not connected (<see cref="IsConnected"/>), healthy otherwise, so a layer without a backend (in-memory)
    /// is healthy until it is closed. Remote layers add what they know (their servers, their receive loops).
    /// </summary>
    /// <param name="cancellationToken">Cancels a check that asks its backend.</param>
    /// <returns>The result; its description names the problem, without secrets, for logs and health reports.</returns>
    public virtual ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(
            IsClosed ? HealthCheckResult.Unhealthy($"The {Name} channel layer is closed.")
            : !IsConnected ? HealthCheckResult.Unhealthy($"The {Name} channel layer is not connected to its backend.")
            : HealthCheckResult.Healthy($"The {Name} channel layer is working."));

    /// <summary>Gets the clock used for expiry.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>Gets the layer's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Gets the layer's metrics.</summary>
    protected ChannelLayerMetrics Metrics { get; }

    /// <summary>Sends a message to a channel.</summary>
    /// <param name="channel">The channel name.</param>
    /// <param name="message">The message; its payload must not exceed <see cref="ChannelLayerOptions.MaxMessageSize"/>.</param>
    /// <param name="cancellationToken">Cancels a send that has to wait (remote layers).</param>
    /// <returns>A task that completes when the channel has accepted the message.</returns>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid channel name.</exception>
    /// <exception cref="MessageTooLargeException">The payload is larger than the maximum message size.</exception>
    /// <exception cref="ChannelFullException">The channel holds its capacity of unread messages.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask SendAsync(string channel, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("send");
        ChannelNames.ValidateChannelName(channel);
        ArgumentNullException.ThrowIfNull(message);
        ThrowIfTooLarge(message, channel);

        var started = Metrics.StartOperation();
        var activity = StartProducer(MessagingConventions.SendOperation, channel, toGroup: false, ref message);
        ValueTask pending;
        try
        {
            pending = SendCoreAsync(channel, message, cancellationToken);
        }
        catch (Exception ex)
        {
            OnSendFailed(channel, message, ex, activity, started);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            OnSent(activity, started);
            return default;
        }

        return AwaitSendAsync(pending, channel, message, activity, started);
    }

    /// <summary>
    /// Receives the first message of a channel, waiting until one arrives. When several receivers wait on one
    /// channel, each message goes to exactly one of them.
    /// </summary>
    /// <param name="channel">The channel name.</param>
    /// <param name="cancellationToken">Stops waiting. A cancelled receive never takes a message off the channel.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid channel name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed, or closed while waiting.</exception>
    public ValueTask<ChannelMessage> ReceiveAsync(string channel, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("receive");
        ChannelNames.ValidateChannelName(channel);
        var pending = ReceiveCoreAsync(channel, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            Metrics.Received();
            return pending;
        }

        return AwaitReceiveAsync(pending);
    }

    /// <summary>
    /// <see cref="ReceiveAsync"/> without its wrapper, for the consumer runner: the layer's own pending receive, which
    /// the runner awaits without rethrowing (a stop cancels a waiting receive: no exception is thrown for it) and counts
    /// with <see cref="CountReceived"/> once it returns a message.
    /// </summary>
    internal ValueTask<ChannelMessage> ReceiveUncountedAsync(string channel, CancellationToken cancellationToken)
    {
        ThrowIfClosed("receive");
        ChannelNames.ValidateChannelName(channel);
        return ReceiveCoreAsync(channel, cancellationToken);
    }

    /// <summary>Counts a message that <see cref="ReceiveUncountedAsync"/> returned.</summary>
    internal void CountReceived() => Metrics.Received();

    /// <summary>
    /// Told when the only receiver of a process-local channel (a WebSocket connection's) has stopped for good: a layer
    /// that keeps per-channel state may drop it now if the channel holds nothing, instead of waiting for its idle sweep.
    /// Messages still queued are left to expire as usual. The default does nothing.
    /// </summary>
    /// <param name="channel">The channel name.</param>
    internal virtual void OnChannelAbandoned(string channel)
    {
    }

    /// <summary>
    /// Returns a new, unguessable process-local channel name (<c>{prefix}.{process}!{128 random bits}</c>) that
    /// a consumer in this process can receive on.
    /// </summary>
    /// <param name="prefix">The name's leading part; a valid group-style name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The channel name.</returns>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is invalid or too long.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask<string> NewChannelAsync(string prefix = "specific", CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("create a channel");
        ChannelNames.ValidateGroupName(prefix);
        return NewChannelCoreAsync(prefix, cancellationToken);
    }

    /// <summary>Adds a channel to a group, or renews its membership (memberships expire after <see cref="ChannelLayerOptions.GroupExpiry"/>).</summary>
    /// <param name="group">The group name.</param>
    /// <param name="channel">The channel name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the membership is recorded.</returns>
    /// <exception cref="ArgumentException">A name is invalid.</exception>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.Groups"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask GroupAddAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("add to a group");
        RequireCapability(ChannelLayerCapabilities.Groups, "group add");
        ChannelNames.ValidateGroupName(group);
        ChannelNames.ValidateChannelName(channel);
        return GroupAddCoreAsync(group, channel, cancellationToken);
    }

    /// <summary>Removes a channel from a group. Removing a channel that is not a member does nothing.</summary>
    /// <param name="group">The group name.</param>
    /// <param name="channel">The channel name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the membership is gone.</returns>
    /// <exception cref="ArgumentException">A name is invalid.</exception>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.Groups"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask GroupDiscardAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("discard from a group");
        RequireCapability(ChannelLayerCapabilities.Groups, "group discard");
        ChannelNames.ValidateGroupName(group);
        ChannelNames.ValidateChannelName(channel);
        return Options.Presence.Count > 0 && (Capabilities & ChannelLayerCapabilities.Presence) != 0 && Options.GetPresence(group) is { } rule
            ? DiscardWithPresenceAsync(group, channel, rule, cancellationToken)
            : GroupDiscardCoreAsync(group, channel, cancellationToken);
    }

    /// <summary>
    /// Adds a channel to a group with presence (a <see cref="ChannelLayerOptions.Presence"/> rule matches it) and
    /// records who it is: the group's members hear of the join in the next <see cref="PresenceEvent"/>, and
    /// <see cref="GroupPresenceAsync"/> lists it until it leaves (<see cref="GroupDiscardAsync"/>, or, on Redis, until its
    /// process has stopped renewing it for <see cref="ChannelLayerOptions.PresenceTimeout"/>). A consumer joins this way
    /// by itself when it joins such a group, with its connection's user id.
    /// </summary>
    /// <param name="group">The group name.</param>
    /// <param name="channel">The channel name.</param>
    /// <param name="userId">The user the channel belongs to, or <see langword="null"/>.</param>
    /// <param name="info">Small application data about the member (at most <see cref="PresenceMember.MaxInfoLength"/> characters), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The member as recorded.</returns>
    /// <exception cref="ArgumentException">A name is invalid, or <paramref name="info"/> is too long.</exception>
    /// <exception cref="InvalidOperationException">No presence rule matches <paramref name="group"/>.</exception>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.Presence"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public async ValueTask<PresenceMember> JoinPresenceAsync(string group, string channel, string? userId = null, string? info = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("join a group with presence");
        RequireCapability(ChannelLayerCapabilities.Presence, "presence");
        var rule = PresenceRuleOf(group);
        if (info is { Length: > PresenceMember.MaxInfoLength })
        {
            throw new ArgumentException($"A member's presence info must be at most {PresenceMember.MaxInfoLength} characters, not {info.Length}.", nameof(info));
        }

        var member = new PresenceMember(channel, userId, info, TimeProvider.GetUtcNow());
        await GroupAddAsync(group, channel, cancellationToken).ConfigureAwait(false);
        await PresenceAddCoreAsync(group, member, cancellationToken).ConfigureAwait(false);
        PresenceEvents.Joined(group, member, rule);
        return member;
    }

    /// <summary>
    /// Lists a group's present members a page at a time: start with no cursor, then pass each page's
    /// <see cref="PresencePage.NextCursor"/> until it is <see langword="null"/>.
    /// </summary>
    /// <param name="group">The group name; a <see cref="ChannelLayerOptions.Presence"/> rule must match it.</param>
    /// <param name="cursor">Where the previous page ended, or <see langword="null"/> for the first page.</param>
    /// <param name="pageSize">At most this many members per page, from 1 to <see cref="MaxGroupMemberPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One page of members.</returns>
    /// <exception cref="ArgumentException">The group name is invalid, or the layer cannot read <paramref name="cursor"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">No presence rule matches <paramref name="group"/>.</exception>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.Presence"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask<PresencePage> GroupPresenceAsync(string group, string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("list a group's presence");
        RequireCapability(ChannelLayerCapabilities.Presence, "presence");
        PresenceRuleOf(group);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxGroupMemberPageSize);
        return GroupPresenceCoreAsync(group, cursor, pageSize, cancellationToken);
    }

    private GroupPresenceRule PresenceRuleOf(string group)
    {
        ChannelNames.ValidateGroupName(group);
        return Options.GetPresence(group)
            ?? throw new InvalidOperationException(
                $"The group '{group}' has no presence: add a rule that matches it to {nameof(ChannelLayerOptions)}.{nameof(ChannelLayerOptions.Presence)} (WithPresence(\"{group}\")).");
    }

    private async ValueTask DiscardWithPresenceAsync(string group, string channel, GroupPresenceRule rule, CancellationToken cancellationToken)
    {
        await GroupDiscardCoreAsync(group, channel, cancellationToken).ConfigureAwait(false);
        if (await PresenceRemoveCoreAsync(group, channel, cancellationToken).ConfigureAwait(false) is { } member)
        {
            PresenceEvents.Left(group, member, rule);
        }
    }

    /// <summary>Tells a presence group's members that <paramref name="members"/> left without a discard (their process died and their presence timed out).</summary>
    /// <param name="group">The group.</param>
    /// <param name="members">The members removed.</param>
    protected void OnPresenceTimedOut(string group, IEnumerable<PresenceMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (Options.GetPresence(group) is { } rule)
        {
            foreach (var member in members)
            {
                PresenceEvents.Left(group, member, rule);
            }
        }
    }

    // Made on first use: a layer without presence rules never has one.
    private PresenceNotifier PresenceEvents => LazyInitializer.EnsureInitialized(ref _presenceEvents, () => new PresenceNotifier(this, Logger, TimeProvider));

    /// <summary>
    /// Sends one message to every channel of a group. The message is serialized once and the same bytes reach
    /// every member. A member whose channel is full is skipped, counted and logged; the send never fails for
    /// the whole group because of one member.
    /// </summary>
    /// <param name="group">The group name.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels a send that has to wait (remote layers).</param>
    /// <returns>How many members received the message and how many were skipped.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is invalid.</exception>
    /// <exception cref="MessageTooLargeException">The payload is larger than the maximum message size.</exception>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.Groups"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask<GroupSendResult> GroupSendAsync(string group, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("send to a group");
        RequireCapability(ChannelLayerCapabilities.Groups, "group send");
        ChannelNames.ValidateGroupName(group);
        ArgumentNullException.ThrowIfNull(message);
        ThrowIfTooLarge(message, group);
        if (HistoryRuleFor(group, message) is not null)
        {
            RequireCapability(ChannelLayerCapabilities.GroupHistory, $"group history (a {nameof(ChannelLayerOptions.GroupHistory)} rule matches '{group}')");
        }

        var started = Metrics.StartOperation();
        var activity = StartProducer(MessagingConventions.GroupSendOperation, group, toGroup: true, ref message);
        ValueTask<GroupSendResult> pending;
        try
        {
            pending = GroupSendCoreAsync(group, message, cancellationToken);
        }
        catch (Exception ex)
        {
            OnGroupSendFailed(ex, activity, started);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            OnGroupSent(result, activity, started);
            return new ValueTask<GroupSendResult>(result);
        }

        return AwaitGroupSendAsync(pending, activity, started);
    }

    /// <summary>
    /// Counts the channels that are members of a group now: memberships younger than
    /// <see cref="ChannelLayerOptions.GroupExpiry"/> (on layers with <see cref="ChannelLayerCapabilities.Expiry"/>), each
    /// channel once however often it joined.
    /// </summary>
    /// <param name="group">The group name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of members; 0 for a group nobody joined.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is invalid.</exception>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.GroupMembers"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask<long> GroupMemberCountAsync(string group, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("count a group's members");
        RequireCapability(ChannelLayerCapabilities.GroupMembers, "group member count");
        ChannelNames.ValidateGroupName(group);
        return GroupMemberCountCoreAsync(group, cancellationToken);
    }

    /// <summary>
    /// Lists a group's member channels a page at a time: start with no cursor, then pass each page's
    /// <see cref="GroupMemberPage.NextCursor"/> until it is <see langword="null"/>. Expired memberships are not listed.
    /// A channel that stays a member for the whole listing is listed exactly once (on the Redis layer, once unless it
    /// joins again meanwhile); one that joins or leaves meanwhile may or may not be.
    /// </summary>
    /// <param name="group">The group name.</param>
    /// <param name="cursor">Where the previous page ended (its <see cref="GroupMemberPage.NextCursor"/>), or <see langword="null"/> for the first page.</param>
    /// <param name="pageSize">At most this many channels per page, from 1 to <see cref="MaxGroupMemberPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One page of members.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is invalid, or the layer cannot read <paramref name="cursor"/> (not one its listing gave).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is below 1 or above <see cref="MaxGroupMemberPageSize"/>.</exception>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.GroupMembers"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask<GroupMemberPage> GroupMembersAsync(string group, string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("list a group's members");
        RequireCapability(ChannelLayerCapabilities.GroupMembers, "group member listing");
        ChannelNames.ValidateGroupName(group);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxGroupMemberPageSize);
        return GroupMembersCoreAsync(group, cursor, pageSize, cancellationToken);
    }

    /// <summary>The largest page <see cref="GroupMembersAsync"/> returns.</summary>
    public const int MaxGroupMemberPageSize = 10_000;

    /// <summary>
    /// Returns the messages sent to <paramref name="group"/> after <paramref name="since"/>, oldest first, from the
    /// group's history (<see cref="ChannelLayerOptions.GroupHistory"/>) — or, when they cannot all be given, none and
    /// the reason (<see cref="GroupHistory.Loss"/>), so the caller falls back to its own source of truth. With no
    /// position it returns no messages and the group's latest position: where to resume from later.
    /// </summary>
    /// <remarks>
    /// To miss nothing between the history and live messages, join the group first, then read the history, and skip
    /// live messages at or before the last position read (a consumer's <c>JoinGroupAsync(group, since)</c> does this).
    /// </remarks>
    /// <param name="group">The group name; a <see cref="ChannelLayerOptions.GroupHistory"/> rule must match it.</param>
    /// <param name="since">The last position the caller has, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages after <paramref name="since"/>, or the reason they cannot be given.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">No history rule matches <paramref name="group"/>.</exception>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.GroupHistory"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask<GroupHistory> GroupHistoryAsync(string group, GroupPosition? since = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("read a group's history");
        RequireCapability(ChannelLayerCapabilities.GroupHistory, "group history");
        ChannelNames.ValidateGroupName(group);
        var rule = Options.GetGroupHistory(group)
            ?? throw new InvalidOperationException(
                $"The group '{group}' keeps no history: add a rule that matches it to {nameof(ChannelLayerOptions)}.{nameof(ChannelLayerOptions.GroupHistory)} (WithGroupHistory(\"{group}\")).");
        return GroupHistoryCoreAsync(group, rule, since, cancellationToken);
    }

    /// <summary>Drops every message and every group membership. For tests; pending receives keep waiting.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the layer is empty.</returns>
    /// <exception cref="NotSupportedException">The layer has no <see cref="ChannelLayerCapabilities.Flush"/>.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed("flush");
        RequireCapability(ChannelLayerCapabilities.Flush, "flush");
        return FlushCoreAsync(cancellationToken);
    }

    /// <summary>Closes the layer: waiting receives fail with <see cref="ChannelLayerClosedException"/> and every later call throws it. Idempotent.</summary>
    /// <returns>A task that completes when the layer has released its resources.</returns>
    public ValueTask CloseAsync() =>
        Volatile.Read(ref _presenceEvents) is { } events && !IsClosed ? CloseAfterPresenceEventsAsync(events) : CloseNowAsync();

    // The joins and leaves gathered but not yet told (a shutdown's consumers left their groups just now) go out first.
    private async ValueTask CloseAfterPresenceEventsAsync(PresenceNotifier events)
    {
        await events.DisposeAsync().ConfigureAwait(false);
        await CloseNowAsync().ConfigureAwait(false);
    }

    private ValueTask CloseNowAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return default;
        }

        _skipLog.Flush();
        return CloseCoreAsync();
    }

    /// <summary>Closes the layer (see <see cref="CloseAsync"/>).</summary>
    /// <returns>A task that completes when the layer is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Attaches a forwarder to a channel of this process (see <see cref="IChannelForwarder"/>): from now on the layer
    /// offers it every message delivered to <paramref name="channel"/> in this process before the message is queued,
    /// and what it forwards never reaches the channel or its consumer. One forwarder per channel; attaching another
    /// replaces it. Attach before joining groups, so every message of a forwarded type takes the same path.
    /// </summary>
    /// <param name="channel">The channel, normally one from <see cref="NewChannelAsync"/>.</param>
    /// <param name="forwarder">The forwarder.</param>
    /// <returns>The attachment; dispose it when the forwarder goes away.</returns>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid channel name.</exception>
    /// <exception cref="ChannelLayerClosedException">The layer is closed.</exception>
    public IDisposable AttachForwarder(string channel, IChannelForwarder forwarder)
    {
        ThrowIfClosed("attach a forwarder");
        ChannelNames.ValidateChannelName(channel);
        ArgumentNullException.ThrowIfNull(forwarder);
        return AttachForwarderCore(channel, forwarder);
    }

    /// <summary>
    /// Records <paramref name="forwarder"/> for <paramref name="channel"/>; arguments are already validated. The default
    /// keeps a table that <see cref="FindForwarder"/> reads: a backend that keeps its own (next to the channel's queue)
    /// overrides this and never calls <see cref="FindForwarder"/>.
    /// </summary>
    /// <param name="channel">A valid channel name.</param>
    /// <param name="forwarder">The forwarder.</param>
    /// <returns>The attachment; disposing it removes this forwarder (not a later one of the same channel).</returns>
    protected virtual IDisposable AttachForwarderCore(string channel, IChannelForwarder forwarder)
    {
        var forwarders = _forwarders ?? Interlocked.CompareExchange(ref _forwarders, new(StringComparer.Ordinal), null) ?? _forwarders!;
        forwarders[channel] = forwarder;
        return new ForwarderAttachment(forwarders, channel, forwarder);
    }

    /// <summary>Returns the forwarder attached to <paramref name="channel"/> (default table; see <see cref="AttachForwarderCore"/>).</summary>
    /// <param name="channel">A channel delivered in this process.</param>
    /// <returns>The forwarder, or <see langword="null"/>.</returns>
    protected IChannelForwarder? FindForwarder(string channel) =>
        _forwarders is { } forwarders && forwarders.TryGetValue(channel, out var forwarder) ? forwarder : null;

    /// <summary>
    /// Finishes a delivery to forwarders that answered <see cref="ForwardOutcome.Full"/>: waits for room in each, all
    /// of them within one <see cref="ChannelLayerOptions.FullMemberTimeout"/> from now, and forwards again; after the
    /// timeout (or when <paramref name="cancellationToken"/> fires) forwards without waiting, so each forwarder takes
    /// the message or drops it by its own policy.
    /// </summary>
    /// <param name="forwarders">The full forwarders, in the order they were met.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Stops waiting (the message is then offered without waiting).</param>
    /// <returns>How many forwarded the message; the others dropped it.</returns>
    protected async ValueTask<int> ForwardToFullAsync(IReadOnlyList<IChannelForwarder> forwarders, ChannelMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forwarders);
        ArgumentNullException.ThrowIfNull(message);
        var forwarded = 0;
        using var timeout = new CancellationTokenSource(Options.FullMemberTimeout, TimeProvider);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        foreach (var forwarder in forwarders)
        {
            var outcome = ForwardOutcome.Full;
            while (outcome == ForwardOutcome.Full && !deadline.IsCancellationRequested)
            {
                try
                {
                    await forwarder.WaitForRoomAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    break;
                }

                outcome = forwarder.Forward(message, mayWait: true);
            }

            if (outcome == ForwardOutcome.Full)
            {
                outcome = forwarder.Forward(message, mayWait: false);
            }

            forwarded += outcome == ForwardOutcome.Dropped ? 0 : 1;
        }

        return forwarded;
    }

    /// <summary>Stores <paramref name="message"/> on <paramref name="channel"/>; arguments are already validated.</summary>
    /// <param name="channel">A valid channel name.</param>
    /// <param name="message">The message, within the size limit.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the message is stored.</returns>
    /// <exception cref="ChannelFullException">The channel is full.</exception>
    protected abstract ValueTask SendCoreAsync(string channel, ChannelMessage message, CancellationToken cancellationToken);

    /// <summary>Takes the first message of <paramref name="channel"/>, waiting for one; must not lose a message when cancelled.</summary>
    /// <param name="channel">A valid channel name.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message.</returns>
    protected abstract ValueTask<ChannelMessage> ReceiveCoreAsync(string channel, CancellationToken cancellationToken);

    /// <summary>Returns a new process-local channel name; by default <c>{prefix}.{<see cref="ProcessChannelPrefix"/>}!{random}</c>.</summary>
    /// <param name="prefix">A valid prefix.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The channel name.</returns>
    protected virtual ValueTask<string> NewChannelCoreAsync(string prefix, CancellationToken cancellationToken)
    {
        var name = $"{prefix}.{ProcessChannelPrefix}{ChannelNames.ProcessLocalSeparator}{NewRandomSuffix()}";
        if (name.Length >= ChannelNames.MaxLength)
        {
            throw new ArgumentException(
                $"Channel prefix '{prefix}' is too long: the new channel name would be {name.Length} characters, and names must be shorter than {ChannelNames.MaxLength}.",
                nameof(prefix));
        }

        return new ValueTask<string>(name);
    }

    /// <summary>Gets the part of new channel names that identifies this process to the layer (before the <c>!</c>).</summary>
    protected virtual string ProcessChannelPrefix => Name;

    /// <summary>Records a group membership; arguments are already validated.</summary>
    /// <param name="group">A valid group name.</param>
    /// <param name="channel">A valid channel name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when done.</returns>
    protected virtual ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Removes a group membership; arguments are already validated.</summary>
    /// <param name="group">A valid group name.</param>
    /// <param name="channel">A valid channel name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when done.</returns>
    protected virtual ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Sends to every member, skipping (and logging) full ones; arguments are already validated.</summary>
    /// <param name="group">A valid group name.</param>
    /// <param name="message">The message, within the size limit.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The per-member outcome.</returns>
    protected virtual ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Counts a group's live members; arguments are already validated.</summary>
    /// <param name="group">A valid group name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of members.</returns>
    protected virtual ValueTask<long> GroupMemberCountCoreAsync(string group, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Lists one page of a group's live members; arguments are already validated.</summary>
    /// <param name="group">A valid group name.</param>
    /// <param name="cursor">The previous page's cursor, or <see langword="null"/>.</param>
    /// <param name="pageSize">From 1 to <see cref="MaxGroupMemberPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page.</returns>
    protected virtual ValueTask<GroupMemberPage> GroupMembersCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Reads a group's history after a position; arguments are already validated.</summary>
    /// <param name="group">A valid group name.</param>
    /// <param name="rule">The group's history rule.</param>
    /// <param name="since">The caller's last position, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages after <paramref name="since"/>, or why they cannot be given.</returns>
    protected virtual ValueTask<GroupHistory> GroupHistoryCoreAsync(string group, GroupHistoryRule rule, GroupPosition? since, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>
    /// Returns the history rule a group send follows: the group's (<see cref="ChannelLayerOptions.GetGroupHistory"/>),
    /// except for presence events, which say what changed, not what was said, and are not kept.
    /// </summary>
    /// <param name="group">The group.</param>
    /// <param name="message">The message sent to it.</param>
    /// <returns>The rule, or <see langword="null"/> when the send is not kept.</returns>
    protected GroupHistoryRule? HistoryRuleFor(string group, ChannelMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Options.GroupHistory.Count > 0 && message.Type != PresenceEvent.MessageType ? Options.GetGroupHistory(group) : null;
    }

    /// <summary>Returns <paramref name="message"/> with its group and its position in the group's history as headers.</summary>
    /// <param name="message">The message sent to the group.</param>
    /// <param name="group">The group.</param>
    /// <param name="position">Its position.</param>
    /// <returns>The message with <see cref="MessageHeaders.Group"/> and <see cref="MessageHeaders.Position"/>.</returns>
    protected static ChannelMessage WithGroupPosition(ChannelMessage message, string group, GroupPosition position)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.WithHeaders(message.Headers.With(MessageHeaders.Group, group).With(MessageHeaders.Position, position.ToString()));
    }

    /// <summary>Records a present member of a group (already added to the group); arguments are validated.</summary>
    /// <param name="group">The group.</param>
    /// <param name="member">The member.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when it is recorded.</returns>
    protected virtual ValueTask PresenceAddCoreAsync(string group, PresenceMember member, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Removes a member's presence (its channel was discarded from the group).</summary>
    /// <param name="group">The group.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The member removed, or <see langword="null"/> when it had no presence.</returns>
    protected virtual ValueTask<PresenceMember?> PresenceRemoveCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Lists one page of a group's present members; arguments are validated.</summary>
    /// <param name="group">The group.</param>
    /// <param name="cursor">The previous page's cursor, or <see langword="null"/>.</param>
    /// <param name="pageSize">From 1 to <see cref="MaxGroupMemberPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page.</returns>
    protected virtual ValueTask<PresencePage> GroupPresenceCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Drops every message and membership.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when done.</returns>
    protected virtual ValueTask FlushCoreAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    /// <summary>Releases the backend's resources and fails waiting receives with <see cref="ChannelLayerClosedException"/>. Called once.</summary>
    /// <returns>A task that completes when done.</returns>
    protected abstract ValueTask CloseCoreAsync();

    /// <summary>Creates the exception every operation throws after close.</summary>
    /// <param name="operation">What was attempted, such as <c>receive</c>.</param>
    /// <returns>The exception.</returns>
    protected ChannelLayerClosedException ClosedException(string operation) => ChannelLayerClosedException.For(Name, operation);

    /// <summary>
    /// Records that a group send skipped <paramref name="skipped"/> full members of <paramref name="group"/>. Skips are
    /// counted in the layer's metrics at once and logged aggregated: one warning per group and interval (10 seconds)
    /// with the counts, never one per send.
    /// </summary>
    /// <param name="group">The group.</param>
    /// <param name="message">The message.</param>
    /// <param name="skipped">How many members the send skipped.</param>
    protected void LogSkippedFullMembers(string group, ChannelMessage message, int skipped)
    {
        ArgumentNullException.ThrowIfNull(message);
        _skipLog.Record(group, message.Type, skipped);
    }

    /// <summary>Starts telling <paramref name="watch"/> of connection changes (a consumer, while it runs); O(1).</summary>
    internal void AddConnectionWatch(ChannelLayerConnectionWatch watch)
    {
        lock (_watchLock)
        {
            _watches.Add(watch);
        }
    }

    /// <summary>Stops telling <paramref name="watch"/> of connection changes; O(1).</summary>
    internal void RemoveConnectionWatch(ChannelLayerConnectionWatch watch)
    {
        lock (_watchLock)
        {
            _watches.Remove(watch);
        }
    }

    /// <summary>Logs the change and raises <see cref="ConnectionChanged"/> (for backends: call on each transition).</summary>
    /// <param name="isConnected">Whether the layer is connected now.</param>
    /// <param name="error">Why the connection was lost; <see langword="null"/> when it is back.</param>
    protected void OnConnectionChanged(bool isConnected, Exception? error)
    {
        if (isConnected)
        {
            ChannelLayerLog.LayerReconnected(Logger, Name);
        }
        else
        {
            ChannelLayerLog.LayerDisconnected(Logger, error, Name);
        }

        var args = new ChannelLayerConnectionEventArgs(isConnected, error);
        if (ConnectionChanged is { } handlers)
        {
            foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<ChannelLayerConnectionEventArgs>>())
            {
                try
                {
                    handler(this, args);
                }
                catch (Exception ex)
                {
                    ChannelLayerLog.ConnectionHandlerFailed(Logger, ex, Name);
                }
            }
        }

        // The consumers', from a snapshot: a consumer that stops meanwhile leaves the list without waiting for this.
        List<ChannelLayerConnectionWatch> watches = [];
        lock (_watchLock)
        {
            for (var watch = _watches.Head; watch is not null; watch = watch.Next)
            {
                watches.Add(watch);
            }
        }

        foreach (var watch in watches)
        {
            try
            {
                watch.OnConnectionChanged(args);
            }
            catch (Exception ex)
            {
                ChannelLayerLog.ConnectionHandlerFailed(Logger, ex, Name);
            }
        }
    }

    /// <summary>Records and logs messages that expired unread on <paramref name="channel"/>.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="count">How many expired.</param>
    /// <remarks>The channel stays in its groups: a membership ends only with the group expiry or a discard.</remarks>
    protected void OnMessagesExpired(string channel, int count)
    {
        Metrics.Expired(count);
        ChannelLayerLog.MessagesExpired(Logger, count, channel);
    }

    private static string NewRandomSuffix()
    {
        // 128 random bits, URL-safe base64: 22 characters, all of them valid in channel names.
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    private void ThrowIfClosed(string operation)
    {
        if (IsClosed)
        {
            throw ClosedException(operation);
        }
    }

    private void RequireCapability(ChannelLayerCapabilities capability, string operation)
    {
        if ((Capabilities & capability) != capability)
        {
            throw new NotSupportedException($"The {Name} channel layer does not support {operation} (it lacks the {capability} capability).");
        }
    }

    private void ThrowIfTooLarge(ChannelMessage message, string destination)
    {
        if (message.Payload.Length > Options.MaxMessageSize)
        {
            throw new MessageTooLargeException(message.Type, destination, message.Payload.Length, Options.MaxMessageSize);
        }
    }

    // Starts a producer span when someone listens, and stamps the current trace context on the message so the
    // consumer's span joins the same trace. A send that gets a span also gives the message an id (unless it has one)
    // and, on a group send, the group (so the consumer's span can name it); a send without a span (no listener, or
    // sampled out) allocates nothing of that and the message is sent as it is.
    private Activity? StartProducer(string operation, string destination, bool toGroup, ref ChannelMessage message)
    {
        var headers = message.Headers;
        var stamped = false;
        Activity? activity = null;
        if (SwitchyardDiagnostics.ActivitySource.HasListeners())
        {
            var temporary = MessagingConventions.IsTemporary(destination);
            activity = SwitchyardDiagnostics.ActivitySource.StartActivity(
                MessagingConventions.SpanName(operation, destination, temporary), ActivityKind.Producer);
            if (activity is not null)
            {
                if (!headers.TryGetValue(MessageHeaders.MessageId, out var id))
                {
                    id = MessagingConventions.NewMessageId();
                    headers = headers.With(MessageHeaders.MessageId, id);
                    stamped = true;
                }

                if (toGroup)
                {
                    headers = headers.With(MessageHeaders.Group, destination);
                    stamped = true;
                }

                activity.SetTag(MessagingConventions.SystemAttribute, MessagingConventions.System);
                activity.SetTag(MessagingConventions.OperationNameAttribute, operation);
                activity.SetTag(MessagingConventions.OperationTypeAttribute, MessagingConventions.SendType);
                MessagingConventions.SetDestination(activity, destination, temporary);
                activity.SetTag(MessagingConventions.MessageIdAttribute, id);
                activity.SetTag(MessagingConventions.MessageBodySizeAttribute, message.Payload.Length);
                activity.SetTag(MessagingConventions.MessageTypeAttribute, message.Type);
                activity.SetTag(MessagingConventions.LayerAttribute, Name);
            }
        }

        var context = activity ?? Activity.Current;
        if (context?.Id is { } traceParent && context.IdFormat == ActivityIdFormat.W3C)
        {
            headers = headers.With(MessageHeaders.TraceParent, traceParent);
            if (!string.IsNullOrEmpty(context.TraceStateString))
            {
                headers = headers.With(MessageHeaders.TraceState, context.TraceStateString);
            }

            stamped = true;
        }

        if (stamped)
        {
            message = message.WithHeaders(headers);
        }

        return activity;
    }

    private void OnSent(Activity? activity, long started)
    {
        Metrics.Sent();
        Metrics.OperationDone(MessagingConventions.SendOperation, started);
        activity?.Dispose();
    }

    private void OnSendFailed(string channel, ChannelMessage message, Exception exception, Activity? activity, long started)
    {
        if (exception is ChannelFullException full)
        {
            Metrics.DroppedFull();
            ChannelLayerLog.ChannelFull(Logger, message.Type, channel, full.Capacity);
        }

        Metrics.OperationDone(MessagingConventions.SendOperation, started, exception);
        if (activity is not null)
        {
            MessagingConventions.SetError(activity, exception);
            activity.Dispose();
        }
    }

    private void OnGroupSent(GroupSendResult result, Activity? activity, long started)
    {
        Metrics.GroupSent(result);
        Metrics.OperationDone(MessagingConventions.GroupSendOperation, started);
        activity?.Dispose();
    }

    private void OnGroupSendFailed(Exception exception, Activity? activity, long started)
    {
        Metrics.OperationDone(MessagingConventions.GroupSendOperation, started, exception);
        if (activity is not null)
        {
            MessagingConventions.SetError(activity, exception);
            activity.Dispose();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitSendAsync(ValueTask pending, string channel, ChannelMessage message, Activity? activity, long started)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OnSendFailed(channel, message, ex, activity, started);
            throw;
        }

        OnSent(activity, started);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ChannelMessage> AwaitReceiveAsync(ValueTask<ChannelMessage> pending)
    {
        var message = await pending.ConfigureAwait(false);
        Metrics.Received();
        return message;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<GroupSendResult> AwaitGroupSendAsync(ValueTask<GroupSendResult> pending, Activity? activity, long started)
    {
        GroupSendResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OnGroupSendFailed(ex, activity, started);
            throw;
        }

        OnGroupSent(result, activity, started);
        return result;
    }

    private sealed class ForwarderAttachment(
        System.Collections.Concurrent.ConcurrentDictionary<string, IChannelForwarder> forwarders, string channel, IChannelForwarder forwarder) : IDisposable
    {
        public void Dispose() => forwarders.TryRemove(new KeyValuePair<string, IChannelForwarder>(channel, forwarder));
    }
}
