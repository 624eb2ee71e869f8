using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchyard.Redis.Connections;
using Switchyard.Redis.Forwarding;
using Switchyard.Redis.Security;

namespace Switchyard.Redis;

/// <summary>
/// The process-local channels (<c>a!x</c>, <c>a!y</c>, ...) of one non-local part (<c>a!</c>), received in this
/// process. Their messages arrive in ONE Redis list, the inbox: a send is an entry naming its channel, a group send
/// is ONE entry naming the group (however many of its members live here), and one receive loop per inbox moves them
/// into per-channel buffers here, fanning group entries out to the members it knows (loaded from Redis, and loaded
/// again when the membership version in an entry differs). A channel's pending count in Redis (queued plus
/// buffered, until received) is what a send checks its capacity against; this process reports what it buffered
/// from group entries and what its receives took, in coalesced batches.
/// </summary>
/// <remarks>
/// The forwarding path (issue 11): a channel with a forwarder attached (its WebSocket connection) is offered each of
/// its messages before the buffer. A group entry is decoded into ONE <see cref="ChannelMessage"/> and that instance
/// is offered to every member here, so a frame made from it is encoded once per process. A forwarded message is
/// never pending: a send's entry leaves the channel's pending count when it is forwarded, a group entry's never
/// enters it. A member that is full (its send queue, or its buffer) makes only its own messages wait, bounded by
/// <see cref="ChannelLayerOptions.FullMemberTimeout"/> (see <see cref="LocalMember"/>); the loop goes on.
/// </remarks>
internal sealed class ProcessInbox
{
    // Entries taken per LPOP: enough to drain a burst in few round trips, small enough to keep one reply modest.
    private const int PopBatch = 128;

    // Marks a group entry's head (not a valid character of a channel name).
    private const char GroupEntryMark = '@';

    // How long the loop pauses after an unexpected failure before it goes on.
    private static readonly TimeSpan FailurePause = TimeSpan.FromMilliseconds(250);

    private readonly IInboxOwner _owner;
    private readonly string _nonLocalPart;
    private readonly int _shard;
    private readonly RedisServerConnection _server;
    private readonly RedisKeys _keys;
    private readonly PayloadEncryption? _encryption;
    private readonly ILogger _logger;
    private readonly ChannelLayerMetrics _metrics;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LocalChannel> _channels = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _reporting = new(1, 1);
    private readonly Dictionary<string, GroupMembership> _groups = new(StringComparer.Ordinal);
    private Dictionary<string, int> _pendingChanges = new(StringComparer.Ordinal);
    private bool _reportQueued;
    private Task? _loop;
    private RedisServerConnection? _blocking;
    private bool _popMany = true;

    // Done once the loop has dispatched what was queued before it started (a receive waits for it, see ReceiveAsync).
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastTurn = Environment.TickCount64;

    /// <summary>Creates the inbox of <paramref name="nonLocalPart"/>; nothing runs until a receive or a forwarder needs the loop.</summary>
    /// <param name="owner">The layer the inbox belongs to: its rules, clock and closed state, and where expired or skipped messages are reported.</param>
    /// <param name="nonLocalPart">The channels' part before and with the <c>!</c> (<c>a!</c>).</param>
    /// <param name="shard">The index of the server that holds the inbox (the layer's ring places <paramref name="nonLocalPart"/>).</param>
    /// <param name="server">That server: the inbox's list and pending counts live there, and its blocking pop runs there.</param>
    /// <param name="keys">The layer's keys.</param>
    /// <param name="encryption">Opens sealed payloads; <see langword="null"/> when the layer does not encrypt.</param>
    /// <param name="logger">The layer's logger.</param>
    /// <param name="metrics">The layer's metrics.</param>
    public ProcessInbox(
        IInboxOwner owner,
        string nonLocalPart,
        int shard,
        RedisServerConnection server,
        RedisKeys keys,
        PayloadEncryption? encryption,
        ILogger logger,
        ChannelLayerMetrics metrics)
    {
        _owner = owner;
        _nonLocalPart = nonLocalPart;
        _shard = shard;
        _server = server;
        _keys = keys;
        _encryption = encryption;
        _logger = logger;
        _metrics = metrics;
        ListKey = keys.Inbox(nonLocalPart);
        CountsKey = keys.InboxCounts(nonLocalPart);
        Stopping = _stop.Token;
    }

    public RedisKey ListKey { get; }

    public string NonLocalPart => _nonLocalPart;

    /// <summary>Gets the layer's logger (the local channels log with it too).</summary>
    public ILogger Logger => _logger;

    /// <summary>Gets a token that fires when the inbox closes (members waiting for room stop waiting).</summary>
    public CancellationToken Stopping { get; }

    public RedisKey CountsKey { get; }

    public int Shard => _shard;

    public bool HasUnreportedChanges
    {
        get
        {
            lock (_lock)
            {
                // A report on its way counts too: a send must not overtake it.
                return _pendingChanges.Count > 0 || _reporting.CurrentCount == 0;
            }
        }
    }

    /// <summary>Takes the next message of the local channel <paramref name="suffix"/>, waiting for one; a cancelled wait takes nothing.</summary>
    public async ValueTask<ChannelMessage> ReceiveAsync(string suffix, CancellationToken cancellationToken)
    {
        LocalChannel local;
        lock (_lock)
        {
            if (_owner.IsClosed)
            {
                throw _owner.ClosedException("receive");
            }

            local = GetOrAddChannel(suffix);
            local.Receivers++;
            _loop ??= Task.Run(RunAsync, CancellationToken.None);
        }

        try
        {
            // Group entries that waited in the inbox before the loop started are fanned out first, each against the
            // channel's capacity as it was (nothing taken yet), so a member never gets more than its capacity of them.
            if (!_drained.Task.IsCompleted)
            {
                await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                var expired = 0;
                while (local.TryTake(out var item))
                {
                    ChangePending(suffix, -1);
                    if (item.ExpiresAtMs > _owner.NowMs)
                    {
                        if (expired > 0)
                        {
                            _owner.OnMessagesExpired(_nonLocalPart + suffix, expired);
                        }

                        return item.Message;
                    }

                    expired++;
                }

                if (expired > 0)
                {
                    _owner.OnMessagesExpired(_nonLocalPart + suffix, expired);
                }

                if (!await local.Messages.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw _owner.ClosedException("receive");
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                if (--local.Receivers == 0)
                {
                    local.IdleSince = Environment.TickCount64;
                }
            }
        }
    }

    /// <summary>
    /// Attaches <paramref name="forwarder"/> to the local channel <paramref name="suffix"/> and starts the receive loop,
    /// so the channel's messages reach it even when nobody receives on the channel.
    /// </summary>
    public IDisposable Attach(string suffix, IChannelForwarder forwarder)
    {
        LocalChannel local;
        lock (_lock)
        {
            if (_owner.IsClosed)
            {
                throw _owner.ClosedException("attach a forwarder");
            }

            local = GetOrAddChannel(suffix);
            local.Forwarder = forwarder;
            _loop ??= Task.Run(RunAsync, CancellationToken.None);
        }

        return new ForwarderAttachment(this, local, forwarder);
    }

    public void Detach(LocalChannel local, IChannelForwarder forwarder)
    {
        lock (_lock)
        {
            if (ReferenceEquals(local.Forwarder, forwarder))
            {
                local.Forwarder = null;
                local.IdleSince = Environment.TickCount64;
            }
        }
    }

    /// <summary>
    /// Reports the pending-count changes not yet reported, after any report already on its way, so this process's
    /// next send sees the room its receives made.
    /// </summary>
    public async Task ReportPendingAsync()
    {
        await _reporting.WaitAsync().ConfigureAwait(false);
        try
        {
            await ReportPendingCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _reporting.Release();
        }
    }

    /// <summary>
    /// Takes the pending-count changes not yet reported, for a send to this inbox to carry in its own script (after
    /// any report already on its way, which Redis must apply first); <see langword="null"/> when there are none.
    /// </summary>
    public async ValueTask<Dictionary<string, int>?> TakeChangesAsync()
    {
        if (!HasUnreportedChanges)
        {
            return null;
        }

        await _reporting.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                if (_pendingChanges.Count == 0)
                {
                    return null;
                }

                var changes = _pendingChanges;
                _pendingChanges = new Dictionary<string, int>(StringComparer.Ordinal);
                return changes;
            }
        }
        finally
        {
            _reporting.Release();
        }
    }

    /// <summary>Puts back changes a send took but could not deliver (it never reached Redis), and reports them.</summary>
    public void ReturnChanges(Dictionary<string, int> changes)
    {
        lock (_lock)
        {
            foreach (var (suffix, change) in changes)
            {
                ChangePendingLocked(suffix, change);
            }
        }

        _ = Task.Run(ReportPendingAsync, CancellationToken.None);
    }

    private async Task ReportPendingCoreAsync()
    {
        Dictionary<string, int> changes;
        lock (_lock)
        {
            _reportQueued = false;
            if (_pendingChanges.Count == 0)
            {
                return;
            }

            changes = _pendingChanges;
            _pendingChanges = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var arguments = new List<RedisValue>(changes.Count * 2);
        foreach (var (suffix, change) in changes)
        {
            // A group message buffered and received between two reports changes nothing.
            if (change != 0)
            {
                arguments.Add(suffix);
                arguments.Add((long)change);
            }
        }

        if (arguments.Count == 0)
        {
            return;
        }

        try
        {
            await LayerScripts.AdjustPending.EvaluateAsync(_server, [CountsKey], [.. arguments], CancellationToken.None).ConfigureAwait(false);
        }
        catch (RedisLayerException) when (!_owner.IsClosed)
        {
            // Redis is away: keep the changes for the next report (the reconnect sends them).
            lock (_lock)
            {
                foreach (var (suffix, change) in changes)
                {
                    _pendingChanges[suffix] = _pendingChanges.GetValueOrDefault(suffix) + change;
                }
            }
        }
        catch (RedisLayerException)
        {
            // Closing: the counts expire with the inbox.
        }
    }

    /// <summary>Drops every buffered message, unreported change and known membership (the layer was flushed).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            foreach (var local in _channels.Values)
            {
                local.ClearWaiting();
                while (local.TryTake(out _))
                {
                }
            }

            _pendingChanges.Clear();
            _groups.Clear();
        }
    }

    /// <summary>
    /// Forgets idle channels with nothing buffered, drops buffered messages that expired unread, and forgets the group
    /// memberships it knows (the next entry of a group loads them again), so groups this process left do not linger.
    /// </summary>
    public async Task SweepAsync(long idleMs)
    {
        var now = _owner.NowMs;
        var tick = Environment.TickCount64;
        List<(string Suffix, int Expired)>? expired = null;
        lock (_lock)
        {
            _groups.Clear();

            foreach (var (suffix, local) in _channels)
            {
                if (local.Receivers > 0 || tick - local.IdleSince < idleMs)
                {
                    continue;
                }

                // Expired messages go even when group messages wait for room behind them (a member whose consumer
                // has gone): those make room for the waiting ones, which the member's FullMemberTimeout bounds.

                var dropped = 0;
                while (local.Messages.Reader.TryPeek(out var head) && head.ExpiresAtMs <= now && local.TryTake(out _))
                {
                    dropped++;
                    ChangePendingLocked(suffix, -1);
                }

                if (dropped > 0)
                {
                    (expired ??= []).Add((suffix, dropped));
                }

                // A channel with a forwarder, or with messages waiting for room, is in use even when nobody receives.
                if (local.Messages.Reader.Count == 0 && local.IsIdle)
                {
                    _channels.Remove(suffix);
                    local.IsRemoved = true;
                }
            }
        }

        foreach (var (suffix, count) in expired ?? [])
        {
            _owner.OnMessagesExpired(_nonLocalPart + suffix, count);
        }
    }

    /// <summary>Stops the receive loop and ends every waiting receive with the layer's closed error.</summary>
    public async Task CloseAsync()
    {
        Task? loop;
        lock (_lock)
        {
            foreach (var local in _channels.Values)
            {
                local.Messages.Writer.TryComplete();
            }

            loop = _loop;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _drained.TrySetResult();

        // Ends the blocking pop under way; the loop then sees the stop.
        var blocking = _blocking;
        if (blocking is not null)
        {
            await blocking.DisposeAsync().ConfigureAwait(false);
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        if (_blocking is not null && _blocking != blocking)
        {
            await _blocking.DisposeAsync().ConfigureAwait(false);
        }

        // Not disposed: members waiting for room hold its token and see it cancelled.
    }

    private LocalChannel GetOrAddChannel(string suffix)
    {
        if (!_channels.TryGetValue(suffix, out var local))
        {
            local = new LocalChannel(this, suffix, _owner.Options.GetCapacity(_nonLocalPart + suffix), _owner.Options.FullMemberTimeout, _owner.TimeProvider);
            if (_owner.IsClosed)
            {
                local.Messages.Writer.TryComplete();
            }

            _channels[suffix] = local;
        }

        return local;
    }

    private void ChangePending(string suffix, int change)
    {
        bool queue;
        lock (_lock)
        {
            ChangePendingLocked(suffix, change);
            queue = !_reportQueued;
            _reportQueued = true;
        }

        if (queue)
        {
            // Coalesced: changes made while the report is on its way go in the next one.
            _ = Task.Run(ReportPendingAsync, CancellationToken.None);
        }
    }

    private void ChangePendingLocked(string suffix, int change) => _pendingChanges[suffix] = _pendingChanges.GetValueOrDefault(suffix) + change;

    // The receive loop: a blocking pop on a connection of its own (one per inbox, so per process), which Redis
    // answers the moment an entry arrives; then whatever else is queued, in batches. While that connection is down
    // the loop waits for it to be back (its reconnect wakes the loop at once), coming round at least every second.
    private async Task RunAsync()
    {
        var blockSeconds = Math.Min(1.0, _server.CommandTimeout.TotalSeconds / 2).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        while (!_stop.IsCancellationRequested)
        {
            Volatile.Write(ref _lastTurn, Environment.TickCount64);
            try
            {
                // A connection of its own: a blocking pop on the shared one would hold up every other command.
                _blocking ??= await _server.ConnectDedicatedAsync(_stop.Token).ConfigureAwait(false);

                if (!_blocking.IsConnected)
                {
                    await WaitForConnectionAsync(_blocking).ConfigureAwait(false);

                    // Redis may have restarted empty: its membership versions count from 1 again, so a version this
                    // process knows could name a different set of members now. Load every group's members afresh.
                    lock (_lock)
                    {
                        _groups.Clear();
                    }

                    continue;
                }

                if (!_drained.Task.IsCompleted)
                {
                    await DrainAsync(_blocking).ConfigureAwait(false);
                    _drained.TrySetResult();
                    continue;
                }

                if (_popMany)
                {
                    await PopManyAsync(_blocking, blockSeconds).ConfigureAwait(false);
                    continue;
                }

                var popped = await RedisErrors.Run(_blocking, db => db.ExecuteAsync("BLPOP", ListKey, blockSeconds)).ConfigureAwait(false);
                if (popped.Items is [_, var entry])
                {
                    await DispatchSafelyAsync(entry.Bytes!).ConfigureAwait(false);
                    await DrainAsync(_blocking).ConfigureAwait(false);
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested || _owner.IsClosed)
            {
                return;
            }
            catch (RedisConnectionException)
            {
                // Redis went away under the pop: the client reconnects by itself; the next turn waits for it.
            }
            catch (Exception ex)
            {
                RedisLog.InboxLoopFailed(_logger, ex, ListKey.ToString());
                await PauseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Gets a value indicating whether the receive loop has been started (a receive or a forwarder needed it).</summary>
    public bool LoopStarted
    {
        get
        {
            lock (_lock)
            {
                return _loop is not null;
            }
        }
    }

    /// <summary>
    /// Says what is wrong with the receive loop, if anything: it has ended, it has not come round within
    /// <paramref name="stallLimit"/>, or it waits for its connection. <see langword="null"/> when it is alive or not started.
    /// </summary>
    public string? LoopProblem(TimeSpan stallLimit)
    {
        Task? loop;
        lock (_lock)
        {
            loop = _loop;
        }

        var sinceTurn = TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastTurn));
        return loop is null || _owner.IsClosed ? null
            : loop.IsCompleted ? $"the receive loop of process inbox '{ListKey}' has ended"
            : sinceTurn > stallLimit ? $"the receive loop of process inbox '{ListKey}' has not come round for {sinceTurn.TotalSeconds:0} s"
            : _blocking is { IsConnected: false } blocking ? $"the receive loop of process inbox '{ListKey}' waits for its connection to Redis at {blocking.Name}"
            : null;
    }

    // Until the connection is back, or a second has passed (so the loop comes round and shows it is alive), or the inbox closes.
    private async Task WaitForConnectionAsync(RedisServerConnection client)
    {
        try
        {
            await client.WhenConnected.WaitAsync(RedisServerConnection.MaxBackoff, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Not back yet, or closing: the loop looks again.
        }
    }

    // Redis 7 and later: a blocking pop of a whole batch, so a sparse inbox costs one round trip per wake-up (BLPOP
    // then LPOP is two). An older server does not know BLMPOP: the loop uses BLPOP from then on.
    private async Task PopManyAsync(RedisServerConnection connection, string blockSeconds)
    {
        RedisResult popped;
        try
        {
            popped = await RedisErrors.Run(connection, db => db.ExecuteAsync("BLMPOP", blockSeconds, 1, ListKey, "LEFT", "COUNT", PopBatch)).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("unknown command", StringComparison.OrdinalIgnoreCase))
        {
            _popMany = false;
            return;
        }

        // [key, [entries]] or null when the wait ran out.
        if (popped.Items is [_, { Items: { Length: > 0 } entries }])
        {
            foreach (var entry in entries)
            {
                await DispatchSafelyAsync(entry.Bytes!).ConfigureAwait(false);
            }
        }
    }

    private async Task PauseAsync()
    {
        try
        {
            await Task.Delay(FailurePause, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Closing.
        }
    }

    private async Task DrainAsync(RedisServerConnection connection)
    {
        while (true)
        {
            var entries = await RedisErrors.Run(connection, db => db.ListLeftPopAsync(ListKey, PopBatch)).ConfigureAwait(false);
            if (entries is not { Length: > 0 })
            {
                return;
            }

            foreach (var entry in entries)
            {
                await DispatchSafelyAsync((byte[])entry!).ConfigureAwait(false);
            }

            if (entries.Length < PopBatch)
            {
                return;
            }
        }
    }

    // An entry is taken off the inbox once popped: a failure while handling it (Redis away while a group's members
    // are loaded) is logged and the loop goes on with the next, rather than losing the rest of the batch.
    private async Task DispatchSafelyAsync(byte[] entry)
    {
        try
        {
            await DispatchAsync(entry).ConfigureAwait(false);
        }
        catch (RedisLayerException ex) when (!_owner.IsClosed)
        {
            RedisLog.InboxEntryFailed(_logger, ex, ListKey.ToString());
        }
    }

    private async Task DispatchAsync(byte[] bytes)
    {
        long expiresAt;
        string head;
        ChannelMessage message;
        try
        {
            (expiresAt, head, var contentStart) = Envelope.ReadInboxHead(bytes);
            message = Envelope.DecodeContent(bytes.AsSpan(contentStart), _encryption);
        }
        catch (RedisLayerException ex)
        {
            // Counted with the inbox's non-local part (a!), not the channel: one value per process, not per connection.
            var direct = TryReadHead(bytes);
            RedisLog.UnreadableEntry(_logger, ex, direct is null ? ListKey.ToString() : direct[0] == GroupEntryMark ? $"{_nonLocalPart}* ({direct})" : _nonLocalPart + direct);
            _metrics.Unreadable(_nonLocalPart);
            if (direct is not null && direct[0] != GroupEntryMark)
            {
                ChangePending(direct, -1);
            }

            return;
        }

        if (head[0] == GroupEntryMark)
        {
            await FanOutAsync(head, message, expiresAt).ConfigureAwait(false);
            return;
        }

        if (expiresAt > _owner.NowMs)
        {
            LocalChannel local;
            lock (_lock)
            {
                local = GetOrAddChannel(head);
            }

            local.Deliver(new MemberDelivery(message, expiresAt, Group: null));
            return;
        }

        // Nobody took it in time (this process was away or far behind): its channel has gone.
        ChangePending(head, -1);
        _owner.OnMessagesExpired(_nonLocalPart + head, 1);
    }

    // A group entry ("@group,version"): one copy for every member of the group that lives here.
    private async Task FanOutAsync(string head, ChannelMessage message, long expiresAt)
    {
        var comma = head.LastIndexOf(',');
        var group = head[1..comma];
        var now = _owner.NowMs;
        if (expiresAt <= now)
        {
            _owner.OnMessagesExpired($"{_nonLocalPart}* (group {group})", 1);
            return;
        }

        GroupMembership membership;
        try
        {
            membership = await MembershipAsync(group, head[(comma + 1)..]).ConfigureAwait(false);
        }
        catch (RedisLayerException ex) when (StaleMembership(group) is { } stale)
        {
            // The group's server is away: the members known before are the best guess; the next entry checks again.
            RedisLog.StaleMembership(_logger, ex, group, ListKey.ToString());
            membership = stale;
        }

        var cutoff = now - (long)_owner.Options.GroupExpiry.TotalMilliseconds;
        GroupMember[] members;
        lock (_lock)
        {
            members = membership.Resolved ??= Resolve(membership);
        }

        // Outside the lock: a forwarder runs code of its own. The same instance for every member. A member that is
        // full waits for room within FullMemberTimeout of the send, not of now: an entry that waited in the inbox
        // (no receive loop yet) has used that time, so the member's capacity holds as the sender found it.
        var delivery = new MemberDelivery(message, expiresAt, group, SentAtMs: expiresAt - _owner.ExpiryMs);
        foreach (var (local, joinedAt) in members)
        {
            if (joinedAt > cutoff)
            {
                local.Deliver(delivery);
            }
        }
    }

    // Under the lock: the members' channels here, found once per membership version rather than once per entry.
    private GroupMember[] Resolve(GroupMembership membership)
    {
        var members = new GroupMember[membership.Members.Count];
        var i = 0;
        foreach (var (suffix, joinedAt) in membership.Members)
        {
            members[i++] = new GroupMember(GetOrAddChannel(suffix), joinedAt);
        }

        return members;
    }

    /// <summary>
    /// Puts a message the forwarder did not take in <paramref name="local"/>'s buffer. A send's message goes in
    /// (its capacity was checked against the pending count where it was stored); a group message only below the
    /// channel's capacity, and then counts as pending until received.
    /// </summary>
    public bool TryBuffer(LocalChannel local, in MemberDelivery delivery, bool mayWait)
    {
        var buffered = new BufferedMessage(delivery.Message, delivery.ExpiresAtMs);
        var report = false;
        var skipped = false;
        lock (_lock)
        {
            // Forgotten by the sweep while this message was on its way: the channel's buffer now is a new one.
            if (local.IsRemoved)
            {
                local = GetOrAddChannel(local.Suffix);
            }

            if (delivery.Group is null)
            {
                local.Messages.Writer.TryWrite(buffered);
                return true;
            }

            if (local.Messages.Reader.Count < local.Capacity)
            {
                local.Messages.Writer.TryWrite(buffered);
                ChangePendingLocked(local.Suffix, +1);
                report = !_reportQueued;
                _reportQueued = true;
            }
            else if (mayWait)
            {
                return false;
            }
            else
            {
                skipped = true;
            }
        }

        if (report)
        {
            // Coalesced: what the loop buffers while the report is on its way goes in the next one.
            _ = Task.Run(ReportPendingAsync, CancellationToken.None);
        }

        if (skipped)
        {
            // The sender counted this member as reached; it is skipped here, counted and logged.
            _metrics.DroppedFull();
            _owner.LogSkippedFullMembers(delivery.Group, delivery.Message, 1);
        }

        return true;
    }

    // A forwarded send's entry leaves the channel's pending count; a group member whose forwarder dropped the
    // message (its client too slow, or gone) is skipped, counted and logged, as a full member is.
    public void OnForwarded(LocalChannel local, in MemberDelivery delivery, bool dropped)
    {
        if (delivery.Group is null)
        {
            ChangePending(local.Suffix, -1);
        }
        else if (dropped)
        {
            _metrics.DroppedFull();
            _owner.LogSkippedFullMembers(delivery.Group, delivery.Message, 1);
        }
    }

    private GroupMembership? StaleMembership(string group)
    {
        lock (_lock)
        {
            return _groups.GetValueOrDefault(group);
        }
    }

    // The members of a group that live here, as of the version the entry names (or newer).
    private async Task<GroupMembership> MembershipAsync(string group, string version)
    {
        lock (_lock)
        {
            if (_groups.TryGetValue(group, out var known) && known.Version == version)
            {
                return known;
            }
        }

        var cutoff = _owner.NowMs - (long)_owner.Options.GroupExpiry.TotalMilliseconds;
        var reply = await LayerScripts.LocalGroupMembers.EvaluateAsync(
                _owner.ShardOf(group),
                [_keys.GroupMembers(group, _nonLocalPart), _keys.GroupVersions(group)],
                [_nonLocalPart, cutoff],
                CancellationToken.None)
            .ConfigureAwait(false);
        var pairs = reply[1].Items!;
        var members = new Dictionary<string, long>(pairs.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            members[pairs[i].AsString()!] = (long)double.Parse(pairs[i + 1].AsString()!, System.Globalization.CultureInfo.InvariantCulture);
        }

        var membership = new GroupMembership(reply[0].AsString()!, members);
        lock (_lock)
        {
            if (members.Count == 0)
            {
                _groups.Remove(group);
            }
            else
            {
                _groups[group] = membership;
            }
        }

        return membership;
    }

    private static string? TryReadHead(byte[] bytes)
    {
        try
        {
            return Envelope.ReadInboxHead(bytes).Head;
        }
        catch (RedisLayerException)
        {
            return null;
        }
    }

    /// <summary>A forwarder attached to a local channel; disposing it detaches that forwarder (not a later one).</summary>
    private sealed class ForwarderAttachment(ProcessInbox inbox, LocalChannel local, IChannelForwarder forwarder) : IDisposable
    {
        public void Dispose() => inbox.Detach(local, forwarder);
    }
}
