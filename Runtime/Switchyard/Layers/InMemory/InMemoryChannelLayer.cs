using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Switchyard.Internal;

namespace Switchyard;

/// <summary>
/// The embedded default channel layer: every channel and group lives in this process's memory. It keeps the
/// full semantics of the contract (FIFO, capacity, per-pattern capacity, expiry, group expiry, flush) so code
/// tested on it behaves the same on Redis.
/// </summary>
/// <remarks>
/// <para>Messages are never copied: a group send hands the same envelope, and so the same payload bytes, to every
/// member. Expired messages are found lazily whenever their channel is touched (send, receive, group send) and by
/// a periodic sweep, which also reclaims idle empty channels and expired group memberships, so a channel that is
/// written and never read cannot grow memory without bound.</para>
/// <para>Thread-safe. Each channel has its own lock; continuations of waiting receives run asynchronously, never
/// on the sender's stack.</para>
/// </remarks>
public sealed class InMemoryChannelLayer : ChannelLayer
{
    private readonly ConcurrentDictionary<string, ChannelQueue> _queues = new();
    private readonly GroupRegistry _groups = new();
    private readonly GroupHistoryStore _histories = new();
    private readonly PresenceRegistry _presence = new();
    private const int RecentQueueSlots = 256;

    private readonly ChannelQueue?[] _recentQueues = new ChannelQueue?[RecentQueueSlots];
    private readonly bool _systemClock;
    private readonly long _expiryTicks;
    private readonly long _groupExpiryTicks;
    private readonly ITimer _sweeper;

    /// <summary>Creates an in-memory layer.</summary>
    /// <param name="options">Capacity, expiry, group expiry and message size; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for expiry and the sweep; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log events go.</param>
    /// <param name="meterFactory">Where metrics go.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public InMemoryChannelLayer(
        ChannelLayerOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : base("inmemory", options ?? new ChannelLayerOptions(), timeProvider, loggerFactory, meterFactory)
    {
        _systemClock = ReferenceEquals(TimeProvider, TimeProvider.System);
        _expiryTicks = ToTimestampTicks(Options.Expiry);
        _groupExpiryTicks = ToTimestampTicks(Options.GroupExpiry);
        var period = TimeSpan.FromTicks(Math.Clamp(Math.Min(Options.Expiry.Ticks, Options.GroupExpiry.Ticks) / 2, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond * 10));
        _sweeper = TimeProvider.CreateTimer(static state => ((InMemoryChannelLayer)state!).Sweep(), this, period, period);
    }

    /// <inheritdoc />
    public override ChannelLayerCapabilities Capabilities =>
        ChannelLayerCapabilities.Groups | ChannelLayerCapabilities.Flush | ChannelLayerCapabilities.Capacity | ChannelLayerCapabilities.Expiry
        | ChannelLayerCapabilities.Queued | ChannelLayerCapabilities.GroupMemberCounts | ChannelLayerCapabilities.GroupMembers
        | ChannelLayerCapabilities.GroupHistory | ChannelLayerCapabilities.Presence;

    /// <summary>Gets how many unread messages <paramref name="channel"/> holds right now (for diagnostics and tests).</summary>
    /// <param name="channel">The channel name.</param>
    /// <returns>The number of queued messages, expired ones included until they are swept.</returns>
    public int GetQueuedCount(string channel) => _queues.TryGetValue(channel, out var queue) ? queue.Count : 0;

    /// <summary>Gets whether the layer holds state for <paramref name="channel"/> (tests).</summary>
    internal bool HoldsChannel(string channel) => _queues.ContainsKey(channel);

    /// <summary>Gets how many receives wait on <paramref name="channel"/> (tests).</summary>
    internal int GetWaitingReceives(string channel) => _queues.TryGetValue(channel, out var queue) ? queue.WaitingReceives : 0;

    /// <summary>Runs the expiry sweep now instead of waiting for the timer.</summary>
    public void Sweep()
    {
        if (IsClosed)
        {
            return;
        }

        var now = Now();
        foreach (var (name, queue) in _queues)
        {
            var (expired, retired) = queue.Sweep(now, now - _expiryTicks);
            if (expired > 0)
            {
                OnMessagesExpired(name, expired);
            }

            if (retired)
            {
                _queues.TryRemove(new KeyValuePair<string, ChannelQueue>(name, queue));
            }
        }

        foreach (var (group, expired) in _groups.Sweep(now - _groupExpiryTicks))
        {
            ChannelLayerLog.GroupMembershipsExpired(Logger, expired, group);
        }

        if (Options.GroupHistory.Count > 0)
        {
            _histories.Sweep(now - _groupExpiryTicks, group => now - ToTimestampTicks(Options.GetGroupHistory(group)?.MaxAge ?? TimeSpan.Zero));
        }
    }

    /// <inheritdoc />
    protected override ValueTask SendCoreAsync(string channel, ChannelMessage message, CancellationToken cancellationToken)
    {
        var now = Now();
        var mayWait = Options.FullMemberTimeout > TimeSpan.Zero;
        while (true)
        {
            var queue = GetQueue(channel, now);
            var outcome = queue.TrySend(message, now, now + _expiryTicks, out var expired, mayWait);
            if (expired > 0)
            {
                OnMessagesExpired(channel, expired);
            }

            switch (outcome)
            {
                case SendOutcome.Retired:
                    continue;
                case SendOutcome.Full:
                    throw new ChannelFullException(channel, queue.Capacity);
                case SendOutcome.ForwarderFull when queue.Forwarder is { } forwarder:
                    return ForwardWhenRoomAsync(forwarder, message, cancellationToken);
                default:
                    return default;
            }
        }
    }

    /// <inheritdoc />
    protected override ValueTask<ChannelMessage> ReceiveCoreAsync(string channel, CancellationToken cancellationToken)
    {
        var now = Now();
        while (true)
        {
            var queue = GetQueue(channel, now);
            var received = queue.TryReceive(now, cancellationToken, out var result, out var expired);
            if (expired > 0)
            {
                OnMessagesExpired(channel, expired);
            }

            if (received)
            {
                if (!result.IsCompleted)
                {
                    // A receive racing with close can wait on a queue that close never saw (created after close
                    // cleared the queues). Close that queue here, so the receive fails like every other waiting one.
                    Interlocked.MemoryBarrier();
                    if (IsClosed)
                    {
                        queue.Close(ClosedException("receive"));
                    }
                }

                return result;
            }

            // The queue was retired: by the sweep (look it up again) or by close.
            if (IsClosed)
            {
                return ValueTask.FromException<ChannelMessage>(ClosedException("receive"));
            }
        }
    }

    /// <inheritdoc />
    protected override ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        _groups.Add(group, channel, Now());
        return default;
    }

    /// <inheritdoc />
    protected override ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        _groups.Discard(group, channel);
        return default;
    }

    /// <inheritdoc />
    protected override ValueTask<long> GroupMemberCountCoreAsync(string group, CancellationToken cancellationToken)
    {
        var (count, expired) = _groups.Count(group, Now() - _groupExpiryTicks);
        if (expired > 0)
        {
            ChannelLayerLog.GroupMembershipsExpired(Logger, expired, group);
        }

        return new ValueTask<long>(count);
    }

    /// <inheritdoc />
    /// <remarks>Pages in channel-name order; the cursor is the last channel of the previous page.</remarks>
    protected override ValueTask<GroupMemberPage> GroupMembersCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        var (page, more, expired) = _groups.Page(group, cursor, pageSize, Now() - _groupExpiryTicks);
        if (expired > 0)
        {
            ChannelLayerLog.GroupMembershipsExpired(Logger, expired, group);
        }

        return new ValueTask<GroupMemberPage>(new GroupMemberPage(page, more ? page[^1] : null));
    }

    /// <inheritdoc />
    protected override ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken)
    {
        var now = Now();
        if (HistoryRuleFor(group, message) is { } rule)
        {
            // The offset is given and the members are handed the message under the history's lock, so every member
            // gets the group's messages in the order of their positions.
            var history = _histories.Get(group, now);
            lock (history.Gate)
            {
                message = history.Append(message, rule, now, now - ToTimestampTicks(rule.MaxAge), (m, position) => WithGroupPosition(m, group, position));
                return Deliver(group, message, now, cancellationToken);
            }
        }

        return Deliver(group, message, now, cancellationToken);
    }

    /// <inheritdoc />
    protected override ValueTask<GroupHistory> GroupHistoryCoreAsync(string group, GroupHistoryRule rule, GroupPosition? since, CancellationToken cancellationToken)
    {
        var now = Now();
        return new ValueTask<GroupHistory>(_histories.Get(group, now).Read(since, now - ToTimestampTicks(rule.MaxAge)));
    }

    /// <inheritdoc />
    protected override ValueTask PresenceAddCoreAsync(string group, PresenceMember member, CancellationToken cancellationToken)
    {
        _presence.Add(group, member);
        return default;
    }

    /// <inheritdoc />
    protected override ValueTask<PresenceMember?> PresenceRemoveCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        new(_presence.Remove(group, channel));

    /// <inheritdoc />
    protected override ValueTask<PresencePage> GroupPresenceCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken) =>
        new(_presence.Page(group, cursor, pageSize));

    private ValueTask<GroupSendResult> Deliver(string group, ChannelMessage message, long now, CancellationToken cancellationToken)
    {
        var (count, expiredMemberships) = _groups.RentMembers(group, now - _groupExpiryTicks, out var members);
        if (expiredMemberships > 0)
        {
            ChannelLayerLog.GroupMembershipsExpired(Logger, expiredMemberships, group);
        }

        var mayWait = Options.FullMemberTimeout > TimeSpan.Zero;
        var delivered = 0;
        var skipped = 0;
        List<ChannelQueue>? full = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                var channel = members[i];
                ChannelQueue queue;
                SendOutcome outcome;
                int expired;
                do
                {
                    queue = GetQueue(channel, now);
                    outcome = queue.TrySend(message, now, now + _expiryTicks, out expired, mayWait);
                }
                while (outcome == SendOutcome.Retired);

                if (expired > 0)
                {
                    // Dropped as the send met them; the member stays in its groups and gets this message (as channels_redis).
                    OnMessagesExpired(channel, expired);
                }

                switch (outcome)
                {
                    case SendOutcome.Full when mayWait:
                    case SendOutcome.ForwarderFull:
                        (full ??= []).Add(queue);
                        break;
                    case SendOutcome.Full:
                    case SendOutcome.Dropped:
                        skipped++;
                        break;
                    default:
                        delivered++;
                        break;
                }
            }
        }
        finally
        {
            if (count > 0)
            {
                Array.Clear(members, 0, count);
                ArrayPool<string>.Shared.Return(members);
            }
        }

        if (full is not null)
        {
            return SendToFullMembersAsync(group, message, full, delivered, skipped, cancellationToken);
        }

        if (skipped > 0)
        {
            LogSkippedFullMembers(group, message, skipped);
        }

        return new ValueTask<GroupSendResult>(new GroupSendResult(delivered, skipped));
    }

    // The members that were full when the group send met them, in that order: each gets the message as soon as it
    // has room, all within one FullMemberTimeout; a channel still full then is skipped, a forwarder applies its policy.
    private async ValueTask<GroupSendResult> SendToFullMembersAsync(
        string group, ChannelMessage message, List<ChannelQueue> full, int delivered, int skipped, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.FullMemberTimeout, TimeProvider);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        List<IChannelForwarder>? forwarders = null;
        foreach (var queue in full)
        {
            while (true)
            {
                var now = Now();
                var outcome = queue.TrySend(message, now, now + _expiryTicks, out var expired, mayWait: true);
                if (expired > 0)
                {
                    OnMessagesExpired(queue.Name, expired);
                }

                if (outcome == SendOutcome.ForwarderFull && queue.Forwarder is { } forwarder)
                {
                    (forwarders ??= []).Add(forwarder);
                    break;
                }

                if (outcome != SendOutcome.Full)
                {
                    delivered += outcome is SendOutcome.Dropped or SendOutcome.Retired ? 0 : 1;
                    skipped += outcome == SendOutcome.Dropped ? 1 : 0;
                    break;
                }

                try
                {
                    await queue.WaitForRoomAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    skipped++;
                    break;
                }
            }
        }

        if (forwarders is not null)
        {
            var forwarded = await ForwardToFullAsync(forwarders, message, deadline.Token).ConfigureAwait(false);
            delivered += forwarded;
            skipped += forwarders.Count - forwarded;
        }

        if (skipped > 0)
        {
            LogSkippedFullMembers(group, message, skipped);
        }

        return new GroupSendResult(delivered, skipped);
    }

    private async ValueTask ForwardWhenRoomAsync(IChannelForwarder forwarder, ChannelMessage message, CancellationToken cancellationToken) =>
        await ForwardToFullAsync([forwarder], message, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in _queues.Values)
        {
            queue.Clear();
        }

        _groups.Clear();
        _histories.Clear();
        _presence.Clear();
        return default;
    }

    /// <inheritdoc />
    protected override async ValueTask CloseCoreAsync()
    {
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        var waiting = 0;
        foreach (var queue in _queues.Values)
        {
            waiting += queue.Close(ClosedException("receive"));
        }

        _queues.Clear();
        _groups.Clear();
        _histories.Clear();
        _presence.Clear();
        ChannelLayerLog.LayerClosed(Logger, Name, waiting);
    }

    // A closed WebSocket's channel: an empty, unwatched queue is retired now rather than by the sweep after Expiry, so
    // a mass close does not leave every connection's queue (its lock, queues and spare receive waiter) in memory for a
    // minute, to be found and removed by one sweep.
    internal override void OnChannelAbandoned(string channel)
    {
        if (_queues.TryGetValue(channel, out var queue) && queue.TryRetireEmpty())
        {
            _queues.TryRemove(new KeyValuePair<string, ChannelQueue>(channel, queue));
        }
    }

    /// <inheritdoc />
    protected override IDisposable AttachForwarderCore(string channel, IChannelForwarder forwarder)
    {
        // Kept on the channel's queue, so a send finds it without a second lookup.
        while (true)
        {
            var queue = GetQueue(channel, Now());
            queue.Forwarder = forwarder;
            if (!queue.IsRetired)
            {
                return new ForwarderAttachment(queue, forwarder);
            }
        }
    }

    // Hot channels are found by the identity of their name string before the dictionary is asked: a consumer
    // receives with the same string instance every time, and a group send passes the instances its members joined
    // with, so most lookups skip hashing the name. A slot holds only the queue (one atomic reference); it is a hit
    // when the queue was created under this very string instance and has not been retired.
    private ChannelQueue GetQueue(string channel, long now)
    {
        ref var slot = ref _recentQueues[RuntimeHelpers.GetHashCode(channel) & (RecentQueueSlots - 1)];
        var recent = Volatile.Read(ref slot);
        if (recent is not null && ReferenceEquals(recent.Name, channel) && !recent.IsRetired)
        {
            return recent;
        }

        var queue = _queues.TryGetValue(channel, out var found)
            ? found
            : _queues.GetOrAdd(channel, static (name, state) => new ChannelQueue(name, state.Layer.Options.GetCapacity(name), state.Now), (Layer: this, Now: now));
        if (ReferenceEquals(queue.Name, channel))
        {
            Volatile.Write(ref slot, queue);
        }

        return queue;
    }

    // Expiry needs milliseconds, not a high-resolution clock: on the system clock every send and receive reads
    // Environment.TickCount64 (a memory read) instead of Stopwatch.GetTimestamp (a clock_gettime call, most of a
    // send's cost on some VMs). Any other TimeProvider (tests' manual clock) is asked directly.
    private long Now() => _systemClock ? Environment.TickCount64 : TimeProvider.GetTimestamp();

    private long ToTimestampTicks(TimeSpan span) => _systemClock
        ? (long)Math.Ceiling(span.TotalMilliseconds)
        : (long)(span.Ticks * (double)TimeProvider.TimestampFrequency / TimeSpan.TicksPerSecond);

    private sealed class ForwarderAttachment(ChannelQueue queue, IChannelForwarder forwarder) : IDisposable
    {
        public void Dispose()
        {
            if (ReferenceEquals(queue.Forwarder, forwarder))
            {
                queue.Forwarder = null;
            }
        }
    }
}
