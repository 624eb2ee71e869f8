using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchyard.Redis.Client;
using Switchyard.Redis.Layer;
using Switchyard.Redis.Resp;
using Switchyard.Redis.Security;
using Switchyard.Redis.Sharding;

namespace Switchyard.Redis;

/// <summary>
/// The channel layer on Redis: channels and groups shared by every process that points at the same servers, sharded
/// over several servers by consistent hashing. Each channel is a Redis list; capacity, expiry and group expiry are
/// checked atomically in Lua against the layer's clock, as the in-memory layer checks them; a waiting receive is woken
/// by a publish on the channel's key and takes the message with an atomic pop, so competing receivers in different
/// processes each get different messages and a cancelled receive never takes one.
/// </summary>
/// <remarks>
/// Process-local channels (<c>a!x</c>, the names <see cref="ChannelLayer.NewChannelAsync"/> returns) are received only
/// in the process that owns them, as in Django Channels. Their messages go to one list per non-local part (<c>a!</c>),
/// the process's inbox, which one receive loop in that process drains into per-channel buffers: a group send to many
/// connections of one process is one entry, fanned out in the process, not one copy per member.
/// </remarks>
public sealed partial class RedisChannelLayer : ChannelLayer
{
    private readonly RedisChannelLayerOptions _redisOptions;
    private readonly RedisClient[] _shards;
    private readonly RedisClient[] _subscribers;
    private readonly SemaphoreSlim[] _subscriptionLocks;
    private readonly ConsistentHashRing _ring;
    private readonly PayloadEncryption? _encryption;
    private readonly ConcurrentDictionary<string, ChannelWatch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProcessInbox> _inboxes = new(StringComparer.Ordinal);
    private readonly string _processId = "redis." + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 12);
    private readonly string _prefix;
    private static readonly TimeSpan ReconnectPoll = TimeSpan.FromMilliseconds(250);
    private readonly Timer _sweeper;
    private readonly ILogger? _clientLogger;
    private readonly ConnectionTracker _connection;

    private RedisChannelLayer(RedisChannelLayerOptions options, ServerConnections connections, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
        : base("redis", options.Layer, timeProvider, loggerFactory, meterFactory)
    {
        var (shards, subscribers) = (connections.Commands, connections.Subscribers);
        _redisOptions = options;
        _clientLogger = loggerFactory?.CreateLogger("Switchyard.Redis");
        _shards = shards;
        _subscribers = subscribers;
        _subscriptionLocks = [.. shards.Select(_ => new SemaphoreSlim(1, 1))];
        _ring = new ConsistentHashRing([.. shards.Select(s => s.Options.ToString())]);
        _encryption = options.EncryptionKeys.Count > 0 ? new PayloadEncryption([.. options.EncryptionKeys]) : null;
        _prefix = options.Prefix;
        // Real time, not the layer's clock: subscriptions are a resource of this process, not message state.
        _sweeper = new Timer(static s => _ = ((RedisChannelLayer)s!).SweepIdleAsync(), this, options.IdleSubscription, options.IdleSubscription);
        for (var shard = 0; shard < subscribers.Length; shard++)
        {
            var index = shard;
            subscribers[shard].PushReceived = OnPush;
            subscribers[shard].Reconnected += () => _ = ResubscribeAsync(index);
            shards[shard].Reconnected += () => _ = ReportPendingAsync(index);
        }

        _connection = new ConnectionTracker(shards, OnShardsConnectionChanged);
    }

    /// <inheritdoc />
    public override ChannelLayerCapabilities Capabilities =>
        ChannelLayerCapabilities.Groups | ChannelLayerCapabilities.Flush | ChannelLayerCapabilities.CrossProcess
        | ChannelLayerCapabilities.Capacity | ChannelLayerCapabilities.Expiry | ChannelLayerCapabilities.Queued | ChannelLayerCapabilities.GroupMemberCounts;

    /// <summary>
    /// Connects to every server (all at once, each within its connect timeout) and returns the layer. A server that
    /// cannot be reached does not stop it (unless <see cref="RedisChannelLayerOptions.AbortOnConnectFail"/>): the layer
    /// is returned not connected (<see cref="IsConnected"/> false, unhealthy), connects in the background, and raises
    /// <see cref="ChannelLayer.ConnectionChanged"/> once every server is there.
    /// </summary>
    /// <param name="options">Servers, key prefix, encryption and the common layer options.</param>
    /// <param name="timeProvider">The clock for expiry; <see cref="TimeProvider.System"/> when <see langword="null"/>. Every process sharing the layer must agree on it.</param>
    /// <param name="loggerFactory">Where log events go.</param>
    /// <param name="meterFactory">Where metrics go.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The layer, connected unless a server could not be reached.</returns>
    /// <exception cref="RedisConnectionException">A server cannot be reached and <see cref="RedisChannelLayerOptions.AbortOnConnectFail"/> is set, or connecting was cancelled.</exception>
    /// <exception cref="RedisServerException">A server refused the handshake (a wrong password or database).</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<RedisChannelLayer> ConnectAsync(
        RedisChannelLayerOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Layer.Validate();
        if (options.Servers.Count == 0)
        {
            throw new ArgumentException($"{nameof(RedisChannelLayerOptions)}.{nameof(RedisChannelLayerOptions.Servers)} needs at least one Redis connection string.");
        }

        ChannelNames.ValidateGroupName(options.Prefix, nameof(options.Prefix));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InboxCapacity, 1, nameof(options.InboxCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReconnectWait, TimeSpan.Zero, nameof(options.ReconnectWait));
        var connections = await ServerConnections.ConnectAsync(options.Servers, options.AbortOnConnectFail, loggerFactory, cancellationToken).ConfigureAwait(false);
        var layer = new RedisChannelLayer(options, connections, timeProvider, loggerFactory, meterFactory);

        // Only now that the layer listens to its clients: the first connect of each one it hears of.
        connections.StartConnecting();
        return layer;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A process-local channel's forwarder is offered the channel's messages as this process's inbox delivers them (and
    /// attaching starts the inbox's receive loop). A plain channel (no <c>!</c>) belongs to whichever process takes a
    /// message off its list, so its forwarder is kept but never offered anything: its messages take the normal path.
    /// </remarks>
    protected override IDisposable AttachForwarderCore(string channel, IChannelForwarder forwarder)
    {
        if (SplitLocal(channel) is not var (nonLocalPart, suffix))
        {
            return base.AttachForwarderCore(channel, forwarder);
        }

        var inbox = OwnInbox(nonLocalPart, channel);
        return inbox.Attach(suffix, forwarder);
    }

    /// <inheritdoc />
    /// <remarks>Not while any of its servers is away, nor before the first connect of a layer that started without them.</remarks>
    public override bool IsConnected => _connection.IsConnected;

    /// <inheritdoc />
    /// <remarks>Unique to this layer instance: it names the process's inbox.</remarks>
    protected override string ProcessChannelPrefix => _processId;

    private long NowMs => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private long ExpiryMs => (long)Options.Expiry.TotalMilliseconds;

    /// <inheritdoc />
    protected override async ValueTask SendCoreAsync(string channel, ChannelMessage message, CancellationToken cancellationToken)
    {
        long? waitingSince = null;
        while (true)
        {
            try
            {
                await SendOnceAsync(channel, message, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RedisConnectionException ex) when (MayWaitForRedis(ex))
            {
                waitingSince ??= Environment.TickCount64;
                if (!await WaitForRedisAsync(waitingSince.Value, cancellationToken).ConfigureAwait(false))
                {
                    throw NotBackInTime(ex);
                }
            }
        }
    }

    // What a send that waited for Redis in vain throws: still a RedisConnectionException that never reached Redis.
    private RedisConnectionException NotBackInTime(RedisConnectionException error) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Redis was not back within ReconnectWait ({_redisOptions.ReconnectWait.TotalSeconds:0.###} s); the message was not sent. {error.Message}"), error)
        {
            CommandMayHaveRun = false,
        };

    private async ValueTask SendOnceAsync(string channel, ChannelMessage message, CancellationToken cancellationToken)
    {
        var now = NowMs;
        var capacity = Options.GetCapacity(channel);
        var entry = Envelope.Encode(message, now + ExpiryMs, _encryption);
        if (ChannelNames.IsProcessLocal(channel))
        {
            await SendToInboxAsync(channel, entry, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        var reply = await LayerScripts.Send.EvaluateAsync(ShardOf(channel), [ChannelKey(channel)], [now, capacity, entry, ExpiryMs], cancellationToken).ConfigureAwait(false);
        var (queued, expired) = LayerScripts.Pair(reply);
        if (expired > 0)
        {
            OnMessagesExpired(channel, (int)expired);
        }

        if (queued == 0)
        {
            throw new ChannelFullException(channel, capacity);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<ChannelMessage> ReceiveCoreAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            if (SplitLocal(channel) is var (nonLocalPart, suffix))
            {
                return await OwnInbox(nonLocalPart, channel).ReceiveAsync(suffix, cancellationToken).ConfigureAwait(false);
            }

            return await ReceiveWatchedAsync(channel, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisLayerException) when (IsClosed)
        {
            // Closing the layer closes its connections under a waiting receive: that is the close, not a Redis fault.
            throw ClosedException("receive");
        }
    }

    private async Task<ChannelMessage> ReceiveWatchedAsync(string channel, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var watch = await WatchAsync(ChannelKey(channel), _ring.GetShard(channel), cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                // Take the signal before looking, so a message pushed after the look wakes us.
                var signal = watch.Signal;
                ChannelMessage? message;
                try
                {
                    message = await TryTakeAsync(channel).ConfigureAwait(false);
                }
                catch (RedisConnectionException) when (!IsClosed)
                {
                    // Redis is away: a waiting receive waits for it (cancellable), looking again the moment the server's
                    // connection is back (a reconnect wakes every waiter at once), when the subscription is back, or
                    // after a short pause, rather than failing every consumer during a blip.
                    await Task.WhenAny(signal, ShardOf(channel).WhenConnected, Task.Delay(ReconnectPoll, TimeProvider, cancellationToken)).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }

                if (message is not null)
                {
                    return message;
                }

                // Close fails the watches it finds; one made after it looked sees the closed flag here instead.
                if (IsClosed)
                {
                    throw ClosedException("receive");
                }

                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await UnwatchAsync(watch).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        // One round trip to the group's shard. A membership ends with the group expiry or a discard only (not when the
        // channel's messages expire unread), so the channel keeps no list of its groups.
        var groupExpiry = (long)Options.GroupExpiry.TotalMilliseconds;
        var groupShard = ShardOf(group);
        var now = NowMs;
        if (SplitLocal(channel) is var (nonLocalPart, suffix))
        {
            // A process-local channel joins through its process's member set, which that process fans group sends out to.
            await LayerScripts.LocalGroupJoin.EvaluateAsync(groupShard, LocalGroupKeys(group, nonLocalPart), [nonLocalPart, suffix, now, groupExpiry], cancellationToken).ConfigureAwait(false);
            return;
        }

        var added = await groupShard.SendAsync(["ZADD", GroupKey(group), now, channel], cancellationToken).ConfigureAwait(false);
        var expiry = await groupShard.SendAsync(["PEXPIRE", GroupKey(group), groupExpiry], cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(added, expiry).WaitAsync(groupShard.Options.CommandTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        await LeaveGroupAsync(group, channel, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        foreach (var shard in _shards)
        {
            await LayerScripts.DeleteMatching.EvaluateAsync(shard, [], [_prefix + ":*"], cancellationToken).ConfigureAwait(false);
        }

        foreach (var inbox in _inboxes.Values)
        {
            inbox.Clear();
        }
    }

    /// <inheritdoc />
    protected override async ValueTask CloseCoreAsync()
    {
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        var closed = ClosedException("receive");
        foreach (var watch in _watches.Values)
        {
            watch.Fail(closed);
        }

        foreach (var inbox in _inboxes.Values)
        {
            await inbox.CloseAsync().ConfigureAwait(false);
        }

        foreach (var subscriber in _subscribers)
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var shard in _shards)
        {
            await shard.DisposeAsync().ConfigureAwait(false);
        }

        _encryption?.Dispose();
    }

    private string ChannelKey(string channel) => $"{_prefix}:ch:{channel}";

    // A send that never reached Redis may wait for it (ReconnectWait) and go again: it cannot be delivered twice.
    private bool MayWaitForRedis(RedisConnectionException error) =>
        !error.CommandMayHaveRun && _redisOptions.ReconnectWait > TimeSpan.Zero && !IsClosed;

    // Waits until every server is connected again, within what is left of ReconnectWait; false when that ran out.
    private async Task<bool> WaitForRedisAsync(long waitingSince, CancellationToken cancellationToken)
    {
        var left = _redisOptions.ReconnectWait - TimeSpan.FromMilliseconds(Environment.TickCount64 - waitingSince);
        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        try
        {
            await Task.WhenAll(_shards.Select(s => s.WhenConnected)).WaitAsync(left, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void OnShardsConnectionChanged(bool connected, Exception? error)
    {
        if (!IsClosed)
        {
            OnConnectionChanged(connected, error);
        }
    }

    private string GroupProcessesKey(string group) => $"{_prefix}:gp:{group}";

    private string GroupVersionsKey(string group) => $"{_prefix}:gv:{group}";

    private string GroupMembersKey(string group, string nonLocalPart) => $"{_prefix}:gm:{group}:{nonLocalPart}";

    private RedisArg[] LocalGroupKeys(string group, string nonLocalPart) =>
        [GroupProcessesKey(group), GroupMembersKey(group, nonLocalPart), GroupVersionsKey(group), $"{_prefix}:version"];

    /// <summary>
    /// The inbox of a process-local channel this layer instance made (its part before the <c>!</c> ends with this
    /// instance's <see cref="ProcessChannelPrefix"/>, as every name from <see cref="ChannelLayer.NewChannelAsync"/> does).
    /// Another process's channel is refused at once, as Django Channels refuses a wrong client prefix: receiving there
    /// would compete with the owning process for its inbox, and each would get some of the messages.
    /// </summary>
    /// <exception cref="ArgumentException">The channel belongs to another process (or layer instance).</exception>
    private ProcessInbox OwnInbox(string nonLocalPart, string channel)
    {
        if (_inboxes.TryGetValue(nonLocalPart, out var inbox))
        {
            return inbox;
        }

        // nonLocalPart is "{prefix}.{process}!" (or "{process}!").
        var process = nonLocalPart.AsSpan(0, nonLocalPart.Length - 1);
        if (!process.EndsWith(_processId, StringComparison.Ordinal)
            || (process.Length > _processId.Length && process[process.Length - _processId.Length - 1] != '.'))
        {
            throw new ArgumentException(
                $"Channel '{channel}' is process-local ('!') and belongs to another process: its part before '!' does not end with this layer's process id '{_processId}'. "
                + "Only the layer instance that made a process-local channel (NewChannelAsync) receives on it or attaches a forwarder to it; any process may send to it.",
                nameof(channel));
        }

        return _inboxes.GetOrAdd(nonLocalPart, static (part, layer) => new ProcessInbox(layer, part), this);
    }

    private static (string NonLocalPart, string Suffix)? SplitLocal(string channel)
    {
        var bang = channel.IndexOf(ChannelNames.ProcessLocalSeparator, StringComparison.Ordinal);
        return bang < 0 ? null : (channel[..(bang + 1)], channel[(bang + 1)..]);
    }

    private string InboxKey(string nonLocalPart) => $"{_prefix}:in:{nonLocalPart}";

    private string InboxCountsKey(string nonLocalPart) => $"{_prefix}:ip:{nonLocalPart}";

    private string GroupKey(string group) => $"{_prefix}:g:{group}";

    private RedisClient ShardOf(string name) => _shards[_ring.GetShard(name)];

    private async Task<ChannelMessage?> TryTakeAsync(string channel)
    {
        while (true)
        {
            var (found, message) = await TryTakeEntryAsync(channel).ConfigureAwait(false);
            if (!found || message is not null)
            {
                return message;
            }

            // An entry this layer cannot read (written by something else, or sealed with a key no longer configured) was
            // taken, logged and dropped; look at the next one.
        }
    }

    private async Task<(bool Found, ChannelMessage? Message)> TryTakeEntryAsync(string channel)
    {
        RespValue reply;
        try
        {
            // Not cancellable: once the pop has run, the message is this receive's and is returned.
            reply = await LayerScripts.Pop.EvaluateAsync(ShardOf(channel), [ChannelKey(channel)], [NowMs], CancellationToken.None).ConfigureAwait(false);
        }
        catch (RedisLayerException) when (IsClosed)
        {
            throw ClosedException("receive");
        }

        var (entry, expired) = (reply.Items![0], reply.Items[1].AsInteger());
        if (expired > 0)
        {
            OnMessagesExpired(channel, (int)expired);
        }

        if (entry.IsNull)
        {
            return (false, null);
        }

        try
        {
            return (true, Envelope.Decode(entry.Bytes, _encryption).Message);
        }
        catch (RedisLayerException ex)
        {
            RedisLog.UnreadableEntry(Logger, ex, channel);
            Metrics.Unreadable(channel);
            return (true, null);
        }
    }

    private Task LeaveGroupAsync(string group, string channel, CancellationToken cancellationToken) =>
        SplitLocal(channel) is var (nonLocalPart, suffix)
            ? LeaveGroupAsync(group, nonLocalPart, [suffix], cancellationToken)
            : ShardOf(group).ExecuteAsync(["ZREM", GroupKey(group), channel], cancellationToken);

    // Local channels of one process leave a group; with no local parts, the whole process leaves (its inbox has gone).
    private Task LeaveGroupAsync(string group, string nonLocalPart, string[] suffixes, CancellationToken cancellationToken = default)
    {
        var arguments = new RedisArg[1 + suffixes.Length];
        arguments[0] = nonLocalPart;
        for (var i = 0; i < suffixes.Length; i++)
        {
            arguments[1 + i] = suffixes[i];
        }

        return LayerScripts.LocalGroupLeave.EvaluateAsync(ShardOf(group), LocalGroupKeys(group, nonLocalPart), arguments, cancellationToken);
    }

    // Subscribes to the publishes on a list's key (once per key in this process) so waiting receives learn of pushes.
    private async Task<ChannelWatch> WatchAsync(string key, int shard, CancellationToken cancellationToken)
    {
        var gate = _subscriptionLocks[shard];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_watches.TryGetValue(key, out var watch))
            {
                watch.Receivers++;
                return watch;
            }

            watch = new ChannelWatch(shard) { Receivers = 1 };
            _watches[key] = watch;
            try
            {
                await _subscribers[shard].ExecuteAsync(["SUBSCRIBE", key], CancellationToken.None).ConfigureAwait(false);
            }
            catch (RedisConnectionException) when (!IsClosed)
            {
                // Redis is away: the watch stays, the reconnect subscribes it again and wakes its receives.
            }
            catch
            {
                _watches.TryRemove(key, out _);
                throw;
            }

            return watch;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task UnwatchAsync(ChannelWatch watch)
    {
        var gate = _subscriptionLocks[watch.Shard];
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // The subscription stays for the next receive on this channel (a consumer receives again as soon as it
            // has handled a message); the sweep ends subscriptions idle for a while.
            if (--watch.Receivers == 0)
            {
                watch.IdleSince = Environment.TickCount64;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task SweepIdleAsync()
    {
        var idleMs = (long)_redisOptions.IdleSubscription.TotalMilliseconds;
        foreach (var inbox in _inboxes.Values)
        {
            try
            {
                await inbox.SweepAsync(idleMs).ConfigureAwait(false);
            }
            catch (RedisLayerException)
            {
                // Leaving groups failed while Redis is away; the next sweep or send finds the expiry again.
            }
        }

        await SweepIdleWatchesAsync(idleMs).ConfigureAwait(false);
    }

    // After a reconnect of a shard's command connection: report the receives the outage held back.
    private async Task ReportPendingAsync(int shard)
    {
        foreach (var inbox in _inboxes.Values)
        {
            if (inbox.Shard == shard)
            {
                await inbox.ReportPendingAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task SweepIdleWatchesAsync(long idleMs)
    {
        var now = Environment.TickCount64;
        foreach (var (key, watch) in _watches)
        {
            if (watch.Receivers > 0 || now - watch.IdleSince < idleMs || IsClosed)
            {
                continue;
            }

            var shard = watch.Shard;
            var gate = _subscriptionLocks[shard];
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (watch.Receivers > 0 || !_watches.TryRemove(new KeyValuePair<string, ChannelWatch>(key, watch)))
                {
                    continue;
                }

                await _subscribers[shard].ExecuteAsync(["UNSUBSCRIBE", key]).ConfigureAwait(false);
            }
            catch (RedisLayerException)
            {
                // The subscription ends with the connection anyway.
            }
            finally
            {
                gate.Release();
            }
        }
    }

    // After Redis came back: subscribe again to every watched key of that shard, then wake their receives, which look
    // again (anything sent while the subscription was down is in the list, not lost).
    private async Task ResubscribeAsync(int shard)
    {
        var gate = _subscriptionLocks[shard];
        try
        {
            await gate.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            foreach (var (key, watch) in _watches)
            {
                if (watch.Shard != shard)
                {
                    continue;
                }

                try
                {
                    await _subscribers[shard].ExecuteAsync(["SUBSCRIBE", key]).ConfigureAwait(false);
                }
                catch (RedisLayerException)
                {
                    // Lost again: the next reconnect resubscribes.
                    return;
                }

                watch.Notify();
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private void OnPush(RespValue push)
    {
        // ["message", key, payload]: something was pushed onto the list of that key.
        if (push.Items is [{ } kind, { } key, _] && kind.AsString() == "message" && _watches.TryGetValue(key.AsString()!, out var watch))
        {
            watch.Notify();
        }
    }

    /// <summary>The receives waiting on one channel in this process, and the signal that wakes them.</summary>
    private sealed class ChannelWatch(int shard)
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Shard => shard;

        public int Receivers { get; set; }

        public long IdleSince { get; set; }

        public Task Signal
        {
            get
            {
                lock (_lock)
                {
                    return _signal.Task;
                }
            }
        }

        public void Notify()
        {
            TaskCompletionSource fired;
            lock (_lock)
            {
                fired = _signal;
                _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            fired.TrySetResult();
        }

        public void Fail(Exception error)
        {
            lock (_lock)
            {
                _signal.TrySetException(error);
            }
        }
    }
}
