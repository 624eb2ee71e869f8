using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchyard.Ipc.Doorbells;
using Switchyard.Ipc.Layer;
using Switchyard.Ipc.Processes;
using Switchyard.Ipc.Segment;

namespace Switchyard.Ipc;

/// <summary>
/// A channel layer for the processes of one machine and one user, without a server: channels, groups and messages
/// live in a shared-memory segment that every process of the namespace maps, changed under a lock the kernel releases
/// when its holder dies, with every change undone if its process dies half way. A process waiting on a channel is
/// woken through its doorbell, a Unix datagram socket. See docs/channel-layers.md.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IpcChannelLayer : ChannelLayer
{
    // "ipc" + slot (2 hex digits) + incarnation (12 hex digits): the part of this process's channel names before '!'.
    private const string ProcessMark = "ipc";

    // How long a channel nobody here receives on keeps this process marked as waiting on it.
    private static readonly TimeSpan IdleMark = TimeSpan.FromSeconds(5);

    // Messages a forwarder's channel is offered per turn of the pump loop.
    private const int PumpTurn = 32;

    private readonly IpcChannelLayerOptions _ipcOptions;
    private readonly SharedSegment _segment;
    private readonly ChannelStore _store;
    private readonly HistoryStore _histories;
    private readonly PresenceStore _presence;
    private readonly ProcessLiveness _liveness;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _alive;
    private readonly Doorbell _doorbell;
    private readonly ChannelOwner _self;
    private readonly string _processPart;
    private readonly ConcurrentDictionary<string, LocalChannel> _channels = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly ITimer _sweeper;
    private readonly RecentMessages _recent = new();
    private readonly System.Threading.Channels.Channel<LocalChannel> _pumpQueue = System.Threading.Channels.Channel.CreateUnbounded<LocalChannel>(new() { SingleReader = true });
    private readonly Task _pumpLoop;

    private IpcChannelLayer(IpcChannelLayerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
        : base("ipc", options.Layer, timeProvider, loggerFactory, meterFactory)
    {
        _ipcOptions = options;
        var directory = options.Directory ?? IpcChannelLayerOptions.DefaultDirectory();
        _segment = SharedSegment.Open(directory, options.Name, options.SegmentSize, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)options.MaxNames));
        try
        {
            _store = new ChannelStore(_segment);
            _histories = new HistoryStore(_segment);
            _presence = new PresenceStore(_segment);
            _liveness = new ProcessLiveness(directory, options.Name);
            // 48 random bits, never 0 (a free slot): 12 hex digits in channel names.
            var incarnation = (BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & 0xFFFF_FFFF_FFFF) | 1;
            // The slot's liveness lock is taken inside the registering transaction: a sweep (which probes the locks
            // under the segment's lock) never sees the slot registered and its lock free, which it takes for a dead process.
            Microsoft.Win32.SafeHandles.SafeFileHandle? alive = null;
            var slot = _store.Register(incarnation, NowMs, IsAlive, s => (alive = _liveness.TryHold(s)) is not null);
            if (slot < 0 || alive is null)
            {
                throw new IpcLayerException($"{SegmentLayout.ProcessCapacity} processes already share the IPC namespace '{options.Name}'; no more can join.");
            }

            _alive = alive;
            _self = new ChannelOwner(slot, incarnation);
            _processPart = string.Create(CultureInfo.InvariantCulture, $"{ProcessMark}{slot:x2}{incarnation:x12}");
            _doorbell = new Doorbell(Path.Combine(directory, $"{options.Name}.{slot}.bell"), SegmentLayout.ProcessCapacity, s => Path.Combine(directory, $"{options.Name}.{s}.bell"), OnRing);
        }
        catch
        {
            _segment.Dispose();
            throw;
        }

        _sweeper = TimeProvider.CreateTimer(_ => Sweep(), null, options.SweepInterval, options.SweepInterval);
        _pumpLoop = Task.Run(PumpLoopAsync);
    }

    /// <summary>Opens the namespace named in <paramref name="options"/> (making its segment if this is its first process) and joins it.</summary>
    /// <param name="options">The namespace and the layer options.</param>
    /// <param name="timeProvider">The clock for expiry; the system clock when <see langword="null"/>. Every process must agree on the time.</param>
    /// <param name="loggerFactory">Where log events go.</param>
    /// <param name="meterFactory">Where metrics go.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="IpcLayerException">The segment has another layout, or the namespace has no room for another process.</exception>
    public static IpcChannelLayer Open(IpcChannelLayerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new IpcChannelLayer(options, timeProvider, loggerFactory, meterFactory);
    }

    /// <inheritdoc />
    public override ChannelLayerCapabilities Capabilities =>
        ChannelLayerCapabilities.Groups | ChannelLayerCapabilities.Flush | ChannelLayerCapabilities.CrossProcess
        | ChannelLayerCapabilities.Capacity | ChannelLayerCapabilities.Expiry | ChannelLayerCapabilities.Queued
        | ChannelLayerCapabilities.GroupMemberCounts | ChannelLayerCapabilities.GroupMembers | ChannelLayerCapabilities.GroupHistory
        | ChannelLayerCapabilities.Presence;

    /// <inheritdoc />
    protected override string ProcessChannelPrefix => _processPart;

    /// <summary>Gets the path of the shared segment.</summary>
    public string SegmentPath => _segment.Path;

    private long NowMs => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private long ExpiryMs => (long)Options.Expiry.TotalMilliseconds;

    /// <inheritdoc />
    protected override ValueTask SendCoreAsync(string channel, ChannelMessage message, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var capacity = Options.GetCapacity(channel);
            var now = NowMs;
            var outcome = _store.Send(channel, OwnerOf(channel), MessageCodec.Encode(message, NewMessageId()), now, now + ExpiryMs, capacity);
            if (outcome.Expired > 0)
            {
                OnMessagesExpired(channel, outcome.Expired);
            }

            if (!outcome.Queued)
            {
                throw new ChannelFullException(channel, capacity);
            }

            Ring(outcome.Waiters, channel);
            return ValueTask.CompletedTask;
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            // The layer closed under the call (its segment is gone): that is the close.
            throw ClosedException("send");
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<ChannelMessage> ReceiveCoreAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            return await ReceiveOnceAsync(channel, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            // The layer closed under the receive (its segment is gone): that is the close.
            throw ClosedException("receive");
        }
    }

    private async Task<ChannelMessage> ReceiveOnceAsync(string channel, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var owner = OwnerOf(channel);
        EnsureOwn(channel);
        if (_channels.TryGetValue(channel, out var known) && known.Buffered.TryDequeue(out var buffered))
        {
            return buffered;
        }

        // A message that is there is taken without marking this process as waiting, unless this process is marked
        // already (a receive waited here lately: the loop below looks once, marking nothing new), or a forwarder is
        // attached (its pump offers it every message first, and receives get what it does not take).
        if (known is null && Take(channel, owner, waiting: null) is { } ready)
        {
            return ready;
        }

        var local = AcquireForReceive(channel);
        try
        {
            while (true)
            {
                // Take the signal before looking, so a ring after the look wakes this receive.
                var signal = local.Signal;
                if (IsClosed)
                {
                    throw ClosedException("receive");
                }

                if (TakeForReceive(local, owner) is { } message)
                {
                    return message;
                }

                // No timer per wait: a lost ring is found by the sweep, which also wakes every waiting receive once per
                // sweep interval to look again.
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The mark stays for the next receive (a consumer receives again as soon as it has handled a message);
            // the sweep clears the marks of channels idle for a while.
            lock (local.Lock)
            {
                if (--local.Receivers == 0)
                {
                    local.IdleSince = Environment.TickCount64;
                }
            }
        }
    }

    /// <inheritdoc />
    protected override IDisposable AttachForwarderCore(string channel, IChannelForwarder forwarder)
    {
        if (!IsOwnLocal(channel))
        {
            // A plain channel's messages belong to whichever process takes them: its forwarder is never offered any.
            return base.AttachForwarderCore(channel, forwarder);
        }

        var local = _channels.GetOrAdd(channel, static name => new LocalChannel(name));
        lock (local.Lock)
        {
            local.Forwarder = forwarder;
            _store.Mark(channel, OwnerOf(channel), _self.Slot);
        }

        RequestPump(local);
        return new ForwarderAttachment(this, local, forwarder);
    }

    /// <inheritdoc />
    protected override ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            _store.GroupAdd(group, channel, OwnerOf(channel), NowMs);
            return ValueTask.CompletedTask;
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            // The layer closed under the call (its segment is gone): that is the close.
            throw ClosedException("group add");
        }
    }

    /// <inheritdoc />
    protected override ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            _store.GroupDiscard(group, channel);
            return ValueTask.CompletedTask;
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            // The layer closed under the call (its segment is gone): that is the close.
            throw ClosedException("group discard");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The members are read, then the message is queued for them in transactions of <see cref="ChannelStore.GroupChunk"/>
    /// members (each holding one copy of the message); a process with members waiting is rung once per transaction.
    /// </remarks>
    protected override ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = NowMs;
            var id = NewMessageId();
            byte[]? bytes = null;
            if (HistoryRuleFor(group, message) is { } rule)
            {
                // The offset is given, and the message kept, in one transaction; members get the bytes kept.
                bytes = _histories.Append(
                    group,
                    rule.MaxCount,
                    now,
                    now - (long)rule.MaxAge.TotalMilliseconds,
                    (epoch, offset) => MessageCodec.Encode(WithGroupPosition(message, group, new GroupPosition(EpochText(epoch), offset)), id));
            }

            var members = _store.LiveMembers(group, now - (long)Options.GroupExpiry.TotalMilliseconds);
            if (members.Count == 0)
            {
                return ValueTask.FromResult(new GroupSendResult(0, 0));
            }

            bytes ??= MessageCodec.Encode(message, id);
            var outcomes = new MemberOutcome[members.Count];
            var delivered = 0;
            var skipped = 0;
            for (var start = 0; start < members.Count; start += ChannelStore.GroupChunk)
            {
                var count = Math.Min(ChannelStore.GroupChunk, members.Count - start);
                _store.SendToMembers(members, start, count, bytes, now, now + ExpiryMs, Options.GetCapacity, outcomes);
                Dictionary<int, List<string>>? rings = null;
                for (var i = start; i < start + count; i++)
                {
                    var (channel, _) = members[i];
                    if (outcomes[i].Expired > 0)
                    {
                        OnMessagesExpired(channel, outcomes[i].Expired);
                    }

                    if (!outcomes[i].Queued)
                    {
                        skipped++;
                        continue;
                    }

                    delivered++;
                    for (var waiters = outcomes[i].Waiters; waiters != 0; waiters &= waiters - 1)
                    {
                        var slot = System.Numerics.BitOperations.TrailingZeroCount(waiters);
                        rings ??= [];
                        if (!rings.TryGetValue(slot, out var channels))
                        {
                            rings[slot] = channels = [];
                        }

                        channels.Add(channel);
                    }
                }

                foreach (var (slot, channels) in rings ?? [])
                {
                    RingSlot(slot, channels);
                }
            }

            if (skipped > 0)
            {
                LogSkippedFullMembers(group, message, skipped);
            }

            return ValueTask.FromResult(new GroupSendResult(delivered, skipped));
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            // The layer closed under the call (its segment is gone): that is the close.
            throw ClosedException("group send");
        }
    }

    /// <inheritdoc />
    /// <remarks>One transaction that reads the group's history ring in the segment.</remarks>
    protected override ValueTask<GroupHistory> GroupHistoryCoreAsync(string group, GroupHistoryRule rule, GroupPosition? since, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            (long, long)? from = null;
            if (since is { } position)
            {
                // A position whose epoch is not one of this layer's (16 hex digits) is from no history here.
                from = long.TryParse(position.Epoch, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var epoch)
                    && position.Epoch.Length == 16
                    ? (epoch, position.Offset)
                    : (0, position.Offset);
            }

            var now = NowMs;
            var (epochValue, latest, loss, kept) = _histories.Read(group, from, rule.MaxCount, now, now - (long)rule.MaxAge.TotalMilliseconds);
            var messages = new ChannelMessage[kept.Count];
            for (var i = 0; i < messages.Length; i++)
            {
                messages[i] = MessageCodec.Decode(kept[i]);
            }

            return ValueTask.FromResult(new GroupHistory(messages, new GroupPosition(EpochText(epochValue), latest), loss));
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            throw ClosedException("group history");
        }
    }

    /// <inheritdoc />
    protected override ValueTask PresenceAddCoreAsync(string group, PresenceMember member, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            _presence.Add(group, member.Channel, OwnerOf(member.Channel), member.ToBytes());
            return ValueTask.CompletedTask;
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            throw ClosedException("presence join");
        }
    }

    /// <inheritdoc />
    protected override ValueTask<PresenceMember?> PresenceRemoveCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        try
        {
            return ValueTask.FromResult(_presence.Remove(group, channel) is { } data ? ReadMember(channel, data) : null);
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            throw ClosedException("presence leave");
        }
    }

    /// <inheritdoc />
    /// <remarks>One transaction reading the group's presence entries; the page is cut from them in name order.</remarks>
    protected override ValueTask<PresencePage> GroupPresenceCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = _presence.All(group)
                .Where(member => cursor is null || string.CompareOrdinal(member.Channel, cursor) > 0)
                .OrderBy(member => member.Channel, StringComparer.Ordinal)
                .Take(pageSize + 1)
                .Select(member => ReadMember(member.Channel, member.Data))
                .ToList();
            if (page.Count <= pageSize)
            {
                return ValueTask.FromResult(new PresencePage(page, null));
            }

            page.RemoveAt(pageSize);
            return ValueTask.FromResult(new PresencePage(page, page[^1].Channel));
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            throw ClosedException("presence listing");
        }
    }

    private static PresenceMember ReadMember(string channel, byte[] data)
    {
        try
        {
            return PresenceMember.FromBytes(channel, data);
        }
        catch (FormatException)
        {
            return new PresenceMember(channel, null, null, default);
        }
    }

    private static string EpochText(long epoch) => epoch.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    /// <remarks>One transaction that reads the group's membership records (and removes the expired ones).</remarks>
    protected override ValueTask<long> GroupMemberCountCoreAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult<long>(_store.CountMembers(group, NowMs - (long)Options.GroupExpiry.TotalMilliseconds));
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            // The layer closed under the call (its segment is gone): that is the close.
            throw ClosedException("group member count");
        }
    }

    /// <inheritdoc />
    /// <remarks>Pages in channel-name order; the cursor is the last channel of the previous page. Each page reads the
    /// group's members in one transaction.</remarks>
    protected override ValueTask<GroupMemberPage> GroupMembersCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var members = _store.LiveMembers(group, NowMs - (long)Options.GroupExpiry.TotalMilliseconds);
            var page = members.Select(member => member.Channel)
                .Where(channel => cursor is null || string.CompareOrdinal(channel, cursor) > 0)
                .Order(StringComparer.Ordinal)
                .Take(pageSize + 1)
                .ToList();
            var more = page.Count > pageSize;
            if (more)
            {
                page.RemoveAt(pageSize);
            }

            return ValueTask.FromResult(new GroupMemberPage(page, more ? page[^1] : null));
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            // The layer closed under the call (its segment is gone): that is the close.
            throw ClosedException("group member listing");
        }
    }

    /// <inheritdoc />
    protected override ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            _store.Flush();

            // Every waiting mark went with the tables: every process's waiting receives look again (and mark again).
            for (var slot = 0; slot < SegmentLayout.ProcessCapacity; slot++)
            {
                RingSlot(slot, [Doorbell.Everything]);
            }

            return ValueTask.CompletedTask;
        }
        catch (ObjectDisposedException) when (IsClosed)
        {
            // The layer closed under the call (its segment is gone): that is the close.
            throw ClosedException("flush");
        }
    }

    /// <inheritdoc />
    protected override async ValueTask CloseCoreAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (var local in _channels.Values)
        {
            local.Notify();
        }

        await _doorbell.DisposeAsync().ConfigureAwait(false);
        _pumpQueue.Writer.TryComplete();
        await _pumpLoop.ConfigureAwait(false);
        try
        {
            _store.Unregister(_self);
        }
        finally
        {
            _alive.Dispose();
            _segment.Dispose();
            _closing.Dispose();
        }
    }

    // Random, not secret: tells one group send's copies apart from another's (never 0, which reads as no id).
    private static long NewMessageId() => Random.Shared.NextInt64() | 1;

    // The channel as this process waits on it, counted as having one more receive; a channel the sweep dropped as idle
    // meanwhile is made again (rings find only the channels of the dictionary).
    private LocalChannel AcquireForReceive(string channel)
    {
        while (true)
        {
            var local = _channels.GetOrAdd(channel, static name => new LocalChannel(name));
            lock (local.Lock)
            {
                if (!local.Removed)
                {
                    local.Receivers++;
                    return local;
                }
            }
        }
    }

    // A waiting receive's look: what a ring fetched for the channel, else a message of the channel in the segment, and
    // this process marked as waiting on it when there is none. Under the channel's lock, which a ring's fetch holds
    // too, so a receive never overtakes a message fetched before it (the channel's order holds) and the mark agrees
    // with the count of waiting receives. While the process is marked and no ring has come since a look found nothing,
    // the segment has nothing for the channel that a ring has not announced: the receive waits without a transaction.
    private ChannelMessage? TakeForReceive(LocalChannel local, ChannelOwner owner)
    {
        lock (local.Lock)
        {
            if (local.Buffered.TryDequeue(out var buffered))
            {
                return buffered;
            }

            // A forwarder's pump offers it every message first; receives get what it does not take (buffered).
            if (local.Forwarder is not null || !local.TakeStale())
            {
                return null;
            }

            var message = Take(local.Name, owner, waiting: local, out var more);
            if (message is null)
            {
                // Marked in the same transaction that found the channel empty: every later message rings.
                local.Marked = true;
            }
            else if (more)
            {
                // Announced by rings already handled: the next receive takes them.
                local.Stale();
            }

            return message;
        }
    }

    // Takes a message of the channel, if there is one; with a local channel (its lock held by the caller), this process
    // is marked as waiting on it when there is none.
    private ChannelMessage? Take(string channel, ChannelOwner owner, LocalChannel? waiting) => Take(channel, owner, waiting, out _);

    // As above, saying whether the channel had more messages after the one taken.
    private ChannelMessage? Take(string channel, ChannelOwner owner, LocalChannel? waiting, out bool more)
    {
        while (true)
        {
            var outcome = _store.TryTake(channel, owner, NowMs, waiting is null ? -1 : _self.Slot);
            more = outcome.More;

            if (outcome.Expired > 0)
            {
                OnMessagesExpired(channel, outcome.Expired);
            }

            if (outcome.Message is null)
            {
                return null;
            }

            try
            {
                return _recent.Decode(outcome.Message);
            }
            catch (IpcLayerException ex)
            {
                IpcLog.UnreadableMessage(Logger, ex, channel);
            }
        }
    }

    private void Ring(long waiters, string channel)
    {
        for (; waiters != 0; waiters &= waiters - 1)
        {
            RingSlot(System.Numerics.BitOperations.TrailingZeroCount(waiters), [channel]);
        }
    }

    private void RingSlot(int slot, IReadOnlyList<string> channels)
    {
        if (slot == _self.Slot)
        {
            OnRing(channels);
        }
        else if (!_doorbell.Ring(slot, channels))
        {
            _store.MarkMissedRing(slot);
        }
    }

    // A ring for channels of this process. Channels with receives waiting here get their messages fetched for them, for
    // all the channels of the ring in one transaction (one per group send and process, not one per member), handed to
    // the receives through the channel's buffer; channels with a forwarder have their pump run.
    private void OnRing(IReadOnlyList<string> channels)
    {
        if (channels is [Doorbell.Everything])
        {
            foreach (var local in _channels.Values)
            {
                Reawaken(local);
            }

            return;
        }

        List<(string Channel, int Wanted)>? wanted = null;
        List<LocalChannel>? waiting = null;
        foreach (var channel in channels)
        {
            if (!_channels.TryGetValue(channel, out var local))
            {
                continue;
            }

            if (local.Forwarder is not null)
            {
                RequestPump(local);
                continue;
            }

            // Fetched for the receives that wait and have nothing buffered yet (a ring for one channel just wakes them).
            if (channels.Count > 1 && local.Receivers - local.Buffered.Count is > 0 and var want)
            {
                (wanted ??= []).Add((channel, want));
                (waiting ??= []).Add(local);
            }
            else
            {
                local.Stale();
                local.Notify();
            }
        }

        if (wanted is null || IsClosed)
        {
            return;
        }

        // The channels' locks (in name order, as every taker of several takes them) keep their receives from taking a
        // later message while these are fetched and buffered.
        var expired = new List<(string Channel, int Count)>();
        var leftOver = new List<int>();
        var locked = waiting!.OrderBy(local => local.Name, StringComparer.Ordinal).ToArray();
        var held = 0;
        try
        {
            for (; held < locked.Length; held++)
            {
                locked[held].Lock.Enter();
            }

            foreach (var (index, bytes) in _store.TakeMany(wanted, NowMs, expired, leftOver))
            {
                try
                {
                    waiting![index].Buffered.Enqueue(_recent.Decode(bytes));
                }
                catch (IpcLayerException ex)
                {
                    IpcLog.UnreadableMessage(Logger, ex, wanted[index].Channel);
                }
            }

            // Channels that had more than their receives wanted: the next receive looks in the segment.
            foreach (var index in leftOver)
            {
                waiting![index].Stale();
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException && IsClosed)
        {
            return;
        }
        finally
        {
            while (held > 0)
            {
                locked[--held].Lock.Exit();
            }
        }

        foreach (var (channel, count) in expired)
        {
            OnMessagesExpired(channel, count);
        }

        foreach (var local in locked)
        {
            local.Notify();
        }
    }

    private void Reawaken(LocalChannel local)
    {
        local.Stale();
        local.Notify();
        if (local.Forwarder is not null)
        {
            RequestPump(local);
        }
    }

    private void RequestPump(LocalChannel local)
    {
        if (local.RequestPump())
        {
            _pumpQueue.Writer.TryWrite(local);
        }
    }

    // One loop per process offers the messages of channels with a forwarder to their forwarders, a turn of at most
    // PumpTurn messages per channel, round robin: each message is decoded once (RecentMessages) and offered from one
    // thread, so a frame made from a group send's message is made once in the process. A forwarder that is full takes
    // its channel out of the loop while it is waited for (its later messages wait in the segment, counted against the
    // channel's capacity); the others go on.
    private async Task PumpLoopAsync()
    {
        try
        {
            await foreach (var local in _pumpQueue.Reader.ReadAllAsync(_closing.Token).ConfigureAwait(false))
            {
                var requests = local.PumpRequests;
                var (full, more) = Drain(local, PumpTurn);
                if (full is not null)
                {
                    _ = Task.Run(() => WaitForRoomAsync(local, full));
                }
                else if (more || local.PumpDone(requests))
                {
                    _pumpQueue.Writer.TryWrite(local);
                }
            }
        }
        catch (OperationCanceledException) when (IsClosed)
        {
            // Closing.
        }
    }

    // Offers up to limit messages of the channel; returns the message a full forwarder could not take yet (if any),
    // and whether there may be more.
    private (ChannelMessage? Full, bool More) Drain(LocalChannel local, int limit)
    {
        for (var offered = 0; offered < limit; offered++)
        {
            if (IsClosed || local.Forwarder is not { } forwarder || Take(local.Name, OwnerOf(local.Name), waiting: null) is not { } message)
            {
                return (null, false);
            }

            // With no FullMemberTimeout, a full forwarder is never waited for: it takes the message or drops it.
            var outcome = forwarder.Forward(message, mayWait: Options.FullMemberTimeout > TimeSpan.Zero);
            if (outcome == ForwardOutcome.Full)
            {
                return (message, true);
            }

            if (outcome == ForwardOutcome.NotForwarded)
            {
                local.Buffered.Enqueue(message);
                local.Notify();
            }
        }

        return (null, true);
    }

    private async Task WaitForRoomAsync(LocalChannel local, ChannelMessage message)
    {
        try
        {
            if (local.Forwarder is { } forwarder)
            {
                await ForwardToFullAsync([forwarder], message, _closing.Token).ConfigureAwait(false);
            }

            // Back in the loop, which goes on with the channel's next messages.
            _pumpQueue.Writer.TryWrite(local);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException && IsClosed)
        {
            // Closing.
        }
    }

    private void Sweep()
    {
        if (IsClosed)
        {
            return;
        }

        try
        {
            ForgetIdleChannels();

            // Every waiting receive looks again once per sweep, whatever happened to the rings.
            foreach (var local in _channels.Values)
            {
                if (local.Receivers > 0)
                {
                    Reawaken(local);
                }
            }

            // A ring to this process was lost (its doorbell's queue was full): look at every channel it waits on.
            if (_store.TakeMissedRing(_self.Slot))
            {
                OnRing([Doorbell.Everything]);
            }

            var now = NowMs;
            var outcome = _store.Sweep(now, now - (long)Options.GroupExpiry.TotalMilliseconds, IsAlive);
            if (Options.GroupHistory.Count > 0)
            {
                _histories.Sweep(now - (long)Options.GroupExpiry.TotalMilliseconds);
            }

            // A dead process's present members: the first process to sweep removes them and tells their groups.
            if (Options.Presence.Count > 0)
            {
                foreach (var group in _presence.Sweep().GroupBy(removed => removed.Group, StringComparer.Ordinal))
                {
                    OnPresenceTimedOut(group.Key, group.Select(removed => ReadMember(removed.Channel, removed.Data)));
                }
            }

            foreach (var (channel, count) in outcome.Expired)
            {
                OnMessagesExpired(channel, count);
            }

            foreach (var dead in outcome.DeadProcesses)
            {
                IpcLog.ProcessGone(Logger, dead.Slot, _ipcOptions.Name);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException && IsClosed)
        {
            // Closing.
        }
        catch (Exception ex)
        {
            IpcLog.SweepFailed(Logger, ex, _ipcOptions.Name);
        }
    }

    // Channels nobody here has received on for IdleMark: this process stops being marked as waiting on them.
    private void ForgetIdleChannels()
    {
        var now = Environment.TickCount64;
        foreach (var local in _channels.Values)
        {
            lock (local.Lock)
            {
                if (local.Receivers == 0 && local.Forwarder is null && local.Buffered.IsEmpty && now - local.IdleSince > IdleMark.TotalMilliseconds)
                {
                    _store.StopWaiting(local.Name, _self.Slot);
                    local.Marked = false;
                    local.Removed = true;
                    _channels.TryRemove(new KeyValuePair<string, LocalChannel>(local.Name, local));
                }
            }
        }
    }

    private bool IsAlive(int slot, long incarnation) => (slot == _self.Slot && incarnation == _self.Incarnation) || _liveness.IsHeld(slot);

    // The process that owns a process-local channel made by an IPC layer ("...ipc{slot}{incarnation}!..."); none for
    // a plain channel or one whose name does not say.
    private static ChannelOwner OwnerOf(string channel)
    {
        var bang = channel.IndexOf(ChannelNames.ProcessLocalSeparator, StringComparison.Ordinal);
        if (bang < 0)
        {
            return ChannelOwner.None;
        }

        var dot = channel.LastIndexOf('.', bang);
        var part = channel.AsSpan(dot + 1, bang - dot - 1);
        return part.Length == ProcessMark.Length + 14 && part.StartsWith(ProcessMark, StringComparison.Ordinal)
            && int.TryParse(part.Slice(ProcessMark.Length, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var slot)
            && long.TryParse(part[(ProcessMark.Length + 2)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var incarnation)
            && slot < SegmentLayout.ProcessCapacity
            ? new ChannelOwner(slot, incarnation)
            : ChannelOwner.None;
    }

    private bool IsOwnLocal(string channel) => OwnerOf(channel) == _self;

    private void EnsureOwn(string channel)
    {
        if (channel.Contains(ChannelNames.ProcessLocalSeparator, StringComparison.Ordinal) && !IsOwnLocal(channel))
        {
            throw new ArgumentException(
                $"Channel '{channel}' is process-local ('!') and belongs to another process: its part before '!' does not end with this layer's process id '{_processPart}'. "
                + "Only the layer instance that made a process-local channel (NewChannelAsync) receives on it or attaches a forwarder to it; any process may send to it.",
                nameof(channel));
        }
    }

    private sealed class ForwarderAttachment(IpcChannelLayer layer, LocalChannel local, IChannelForwarder forwarder) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            lock (local.Lock)
            {
                if (local.Forwarder != forwarder)
                {
                    return;
                }

                local.Forwarder = null;
                if (local.Receivers == 0 && local.Buffered.IsEmpty && !layer.IsClosed)
                {
                    try
                    {
                        layer._store.StopWaiting(local.Name, layer._self.Slot);
                    }
                    catch (ObjectDisposedException) when (layer.IsClosed)
                    {
                        // Closed meanwhile: the process's marks went with it.
                    }

                    local.Marked = false;
                    local.Removed = true;
                    layer._channels.TryRemove(new KeyValuePair<string, LocalChannel>(local.Name, local));
                }
            }

            // Messages the pump took that the forwarder did not, and those it left in the segment: receives here get them.
            local.Stale();
            local.Notify();
        }
    }
}
