using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchyard.Redis.Connections;
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
public sealed partial class RedisChannelLayer : ChannelLayer, IStartableLayer
{
    private readonly RedisChannelLayerOptions _redisOptions;
    private readonly RedisServerConnection[] _shards;
    private readonly SemaphoreSlim[] _subscriptionLocks;
    private readonly RedisKeys _keys;
    private readonly ConsistentHashRing _ring;
    private readonly PayloadEncryption? _encryption;
    private readonly ConcurrentDictionary<string, ChannelWatch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProcessInbox> _inboxes = new(StringComparer.Ordinal);
    private readonly string _processId = "redis." + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 12);
    private static readonly TimeSpan ReconnectPoll = TimeSpan.FromMilliseconds(250);
    private readonly Timer _sweeper;
    private readonly LayerConnections _connection;

    private RedisChannelLayer(RedisChannelLayerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
        : base("redis", options.Layer, timeProvider, loggerFactory, meterFactory)
    {
        _redisOptions = options;
        _connection = new LayerConnections(options.Servers, options.ConfigureConnection, options.AbortOnConnectFail, loggerFactory, OnShardsConnectionChanged, ResubscribeAllAsync);
        var shards = _shards = _connection.Servers;
        _subscriptionLocks = [.. shards.Select(_ => new SemaphoreSlim(1, 1))];
        _ring = new ConsistentHashRing([.. shards.Select(s => s.Name)]);
        _keys = new RedisKeys(options.Prefix);
        _encryption = options.EncryptionKeys.Count > 0 ? new PayloadEncryption([.. options.EncryptionKeys]) : null;
        // Real time, not the layer's clock: subscriptions are a resource of this process, not message state.
        _sweeper = new Timer(static s => _ = ((RedisChannelLayer)s!).SweepIdleAsync(), this, options.IdleSubscription, options.IdleSubscription);
        for (var shard = 0; shard < shards.Length; shard++)
        {
            var index = shard;
            shards[shard].SubscriptionsRestored += () => _ = ResubscribeAsync(index);
            shards[shard].ConnectionChanged += (connected, cause) =>
            {
                if (connected)
                {
                    _ = ResubscribeAsync(index);
                    _ = ReportPendingAsync(index);
                }
            };
        }
    }

    /// <inheritdoc />
    public override ChannelLayerCapabilities Capabilities =>
        ChannelLayerCapabilities.Groups | ChannelLayerCapabilities.Flush | ChannelLayerCapabilities.CrossProcess
        | ChannelLayerCapabilities.Capacity | ChannelLayerCapabilities.Expiry | ChannelLayerCapabilities.Queued | ChannelLayerCapabilities.GroupMemberCounts
        | ChannelLayerCapabilities.GroupMembers | ChannelLayerCapabilities.GroupHistory | ChannelLayerCapabilities.Presence;

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
        return await IStartableLayer.StartOrCloseAsync(Create(options, timeProvider, loggerFactory, meterFactory), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The layer, not connected yet (no I/O): <see cref="StartAsync"/> connects it.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    internal static RedisChannelLayer Create(RedisChannelLayerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
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
        return new RedisChannelLayer(options, timeProvider, loggerFactory, meterFactory);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => _connection.StartAsync(cancellationToken);

    /// <summary>
    /// Calls <paramref name="observer"/> with each StackExchange.Redis connection of the layer (one per entry of
    /// <see cref="RedisChannelLayerOptions.Servers"/>): at once for those made, later for those still being made. For
    /// OpenTelemetry's Redis instrumentation: <c>.ConfigureRedisInstrumentation((services, redis) =&gt;
    /// (services.GetRequiredService&lt;ChannelLayer&gt;() as RedisChannelLayer)?.ObserveConnections(c =&gt; redis.AddConnection(c)))</c>.
    /// The process inboxes' blocking pops run on connections of their own, not observed (they would trace a wait a second).
    /// </summary>
    /// <param name="observer">What to call with each connection.</param>
    public void ObserveConnections(Action<IConnectionMultiplexer> observer) => _connection.ObserveConnections(observer);

    // A layer made by DI starts connecting when it is resolved; an operation that comes before that first attempt has
    // ended waits for it (at most the connect timeout), rather than failing only because it came early.
    private ValueTask WhenStartedAsync(CancellationToken cancellationToken) => _connection.WhenStartedAsync(cancellationToken);

    // Receives that began before the connection was there subscribe now.
    private async Task ResubscribeAllAsync()
    {
        for (var shard = 0; shard < _shards.Length; shard++)
        {
            await ResubscribeAsync(shard).ConfigureAwait(false);
        }
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
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
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

        var reply = await LayerScripts.Send.EvaluateAsync(ShardOf(channel), [_keys.Channel(channel)], [now, capacity, entry, ExpiryMs], cancellationToken).ConfigureAwait(false);
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
        if (_connection.IsConnected)
        {
            // A message that is already there is taken without subscribing to the channel (one round trip).
            try
            {
                if (await TryTakeAsync(channel).ConfigureAwait(false) is { } ready)
                {
                    return ready;
                }
            }
            catch (RedisConnectionException) when (!IsClosed)
            {
                // Redis went away just now: the watched receive below waits for it.
            }
        }

        var watch = await WatchAsync(_keys.Channel(channel).ToString(), _ring.GetShard(channel), cancellationToken).ConfigureAwait(false);
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
            Unwatch(watch);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
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

        await LayerScripts.GroupJoin.EvaluateAsync(groupShard, [_keys.Group(group)], [channel, now, groupExpiry], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        await LeaveGroupAsync(group, channel, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        foreach (var shard in _shards)
        {
            await FlushShardAsync(shard, cancellationToken).ConfigureAwait(false);
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
        _presenceRenewal?.Dispose();
        var closed = ClosedException("receive");
        foreach (var watch in _watches.Values)
        {
            watch.Fail(closed);
        }

        foreach (var inbox in _inboxes.Values)
        {
            await inbox.CloseAsync().ConfigureAwait(false);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);

        _encryption?.Dispose();
    }

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
            if (_connection.IsConnected)
            {
                // Connected, yet refused (a cluster that has not marked itself up again): look again shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100, left.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
                return true;
            }

            await _connection.WhenConnected.WaitAsync(left, cancellationToken).ConfigureAwait(false);
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

    private RedisKey[] LocalGroupKeys(string group, string nonLocalPart) =>
        [_keys.GroupProcesses(group), _keys.GroupMembers(group, nonLocalPart), _keys.GroupVersions(group)];

    // Every key of the layer on one server (on every master of a cluster), found with SCAN and deleted one by one.
    private async Task FlushShardAsync(RedisServerConnection shard, CancellationToken cancellationToken)
    {
        var deletes = new List<Task>();
        foreach (var master in shard.Masters())
        {
            try
            {
                await foreach (var key in master.KeysAsync(shard.Database.Database, _keys.Pattern, pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    deletes.Add(shard.Database.KeyDeleteAsync(key));
                }
            }
            catch (Exception ex) when (RedisErrors.Translate(ex, shard) is { } translated)
            {
                throw translated;
            }
        }

        await RedisErrors.Run(shard, _ => Task.WhenAll(deletes)).ConfigureAwait(false);
    }

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

        return _inboxes.GetOrAdd(nonLocalPart, static (part, layer) => layer.NewInbox(part), this);
    }

    private static (string NonLocalPart, string Suffix)? SplitLocal(string channel)
    {
        var bang = channel.IndexOf(ChannelNames.ProcessLocalSeparator, StringComparison.Ordinal);
        return bang < 0 ? null : (channel[..(bang + 1)], channel[(bang + 1)..]);
    }

    private RedisServerConnection ShardOf(string name) => _shards[_ring.GetShard(name)];

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

    // A plain LPOP: the expiry is checked here (an entry that expired unread is counted and the next one taken), so a
    // receive costs one plain command rather than a script.
    private async Task<(bool Found, ChannelMessage? Message)> TryTakeEntryAsync(string channel)
    {
        var shard = ShardOf(channel);
        var key = _keys.Channel(channel);
        var expired = 0;
        try
        {
            while (true)
            {
                RedisValue entry;
                try
                {
                    // Not cancellable: once the pop has run, the message is this receive's and is returned.
                    entry = await shard.Database.ListLeftPopAsync(key).ConfigureAwait(false);
                }
                catch (Exception ex) when (RedisErrors.Translate(ex, shard) is { } translated)
                {
                    throw IsClosed ? ClosedException("receive") : translated;
                }

                if (entry.IsNull)
                {
                    return (false, null);
                }

                try
                {
                    var (message, expiresAtMs) = Envelope.Decode((byte[])entry!, _encryption);
                    if (expiresAtMs <= NowMs)
                    {
                        expired++;
                        continue;
                    }

                    return (true, message);
                }
                catch (RedisLayerException ex)
                {
                    RedisLog.UnreadableEntry(Logger, ex, channel);
                    Metrics.Unreadable(channel);
                    return (true, null);
                }
            }
        }
        finally
        {
            if (expired > 0)
            {
                OnMessagesExpired(channel, expired);
            }
        }
    }

    private Task LeaveGroupAsync(string group, string channel, CancellationToken cancellationToken) =>
        SplitLocal(channel) is var (nonLocalPart, suffix)
            ? LeaveGroupAsync(group, nonLocalPart, [suffix], cancellationToken)
            : RedisErrors.Run(ShardOf(group), db => db.SortedSetRemoveAsync(_keys.Group(group), channel));

    // Local channels of one process leave a group; with no local parts, the whole process leaves (its inbox has gone).
    private Task LeaveGroupAsync(string group, string nonLocalPart, string[] suffixes, CancellationToken cancellationToken = default)
    {
        var arguments = new RedisValue[1 + suffixes.Length];
        arguments[0] = nonLocalPart;
        for (var i = 0; i < suffixes.Length; i++)
        {
            arguments[1 + i] = suffixes[i];
        }

        return LayerScripts.LocalGroupLeave.EvaluateAsync(ShardOf(group), LocalGroupKeys(group, nonLocalPart), arguments, cancellationToken);
    }

    // Subscribes to the publishes on a list's key (once per key in this process) so waiting receives learn of pushes.
    // A receive on a channel already subscribed joins its watch without the shard's lock: the lock orders the
    // subscribe and unsubscribe calls, and a thousand receives starting (or ending, at a close) at once must not queue
    // on it one after another.
    private async Task<ChannelWatch> WatchAsync(string key, int shard, CancellationToken cancellationToken)
    {
        if (_watches.TryGetValue(key, out var watch) && watch.Subscribed && watch.TryJoin())
        {
            return watch;
        }

        var gate = _subscriptionLocks[shard];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Under the lock a watch found is not retired (the sweep retires and removes one under it), so it takes us.
            if (_watches.TryGetValue(key, out watch) && watch.TryJoin())
            {
                return watch;
            }

            watch = new ChannelWatch(shard, RedisChannel.Literal(key));
            _watches[key] = watch;
            try
            {
                await RedisErrors.Run(_shards[shard], _ => _shards[shard].Subscriber.SubscribeAsync(watch.RedisChannel, watch.OnPublished)).ConfigureAwait(false);
                watch.Subscribed = true;
            }
            catch (RedisConnectionException) when (!IsClosed)
            {
                // Redis is away (or the layer still starting): the watch stays, unsubscribed; the connect subscribes it
                // and wakes its receives. (StackExchange.Redis itself restores only subscriptions that were made.)
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

    // The subscription stays for the next receive on this channel (a consumer receives again as soon as it has handled
    // a message); the sweep ends subscriptions idle for a while.
    private static void Unwatch(ChannelWatch watch) => watch.Leave();

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
            if (watch.Receivers != 0 || now - watch.IdleSince < idleMs || IsClosed)
            {
                continue;
            }

            var shard = watch.Shard;
            var gate = _subscriptionLocks[shard];
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                // Retired, no receive can join it any more (one that tries subscribes a new watch after us).
                if (!watch.TryRetire())
                {
                    continue;
                }

                _watches.TryRemove(new KeyValuePair<string, ChannelWatch>(key, watch));

                await RedisErrors.Run(_shards[shard], _ => _shards[shard].Subscriber.UnsubscribeAsync(watch.RedisChannel, watch.OnPublished)).ConfigureAwait(false);
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

    // After a connection of a shard came back (StackExchange.Redis has subscribed again what was subscribed): subscribe
    // the watches that could not be while it was away, then wake that shard's receives, which look again (anything sent
    // while the subscription was down is in the list, not lost).
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
            foreach (var watch in _watches.Values)
            {
                if (watch.Shard != shard || IsClosed)
                {
                    continue;
                }

                if (!watch.Subscribed)
                {
                    try
                    {
                        await RedisErrors.Run(_shards[shard], _ => _shards[shard].Subscriber.SubscribeAsync(watch.RedisChannel, watch.OnPublished)).ConfigureAwait(false);
                        watch.Subscribed = true;
                    }
                    catch (RedisLayerException)
                    {
                        // Lost again: the next connect subscribes it.
                        return;
                    }
                }

                watch.Notify();
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The receives waiting on one channel in this process, and the signal that wakes them.</summary>
    private sealed class ChannelWatch
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _receivers = 1; // the receive that makes the watch
        private bool _subscribed;
        private long _idleSince;

        public ChannelWatch(int shard, RedisChannel channel)
        {
            Shard = shard;
            RedisChannel = channel;
            OnPublished = (_, _) => Notify();
        }

        public int Shard { get; }

        /// <summary>Gets the Redis channel the list's pushes are published on (the list's key).</summary>
        public RedisChannel RedisChannel { get; }

        /// <summary>Gets or sets whether the subscription was made (set under the shard's subscription lock).</summary>
        public bool Subscribed
        {
            get => Volatile.Read(ref _subscribed);
            set => Volatile.Write(ref _subscribed, value);
        }

        /// <summary>Gets the subscription's handler: something was pushed onto the list.</summary>
        public Action<RedisChannel, RedisValue> OnPublished { get; }

        /// <summary>Gets how many receives wait on the watch; -1 once the sweep has retired it.</summary>
        public int Receivers => Volatile.Read(ref _receivers);

        /// <summary>Gets when the last receive left (<see cref="Environment.TickCount64"/>).</summary>
        public long IdleSince => Volatile.Read(ref _idleSince);

        /// <summary>One more receive waits on the watch, unless the sweep has retired it.</summary>
        public bool TryJoin()
        {
            var receivers = Volatile.Read(ref _receivers);
            while (receivers >= 0)
            {
                var seen = Interlocked.CompareExchange(ref _receivers, receivers + 1, receivers);
                if (seen == receivers)
                {
                    return true;
                }

                receivers = seen;
            }

            return false;
        }

        /// <summary>A receive stops waiting on the watch.</summary>
        public void Leave()
        {
            Volatile.Write(ref _idleSince, Environment.TickCount64);
            Interlocked.Decrement(ref _receivers);
        }

        /// <summary>Retires the watch if no receive waits on it (under the shard's lock): none can join it after this.</summary>
        public bool TryRetire() => Interlocked.CompareExchange(ref _receivers, -1, 0) == 0;

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
