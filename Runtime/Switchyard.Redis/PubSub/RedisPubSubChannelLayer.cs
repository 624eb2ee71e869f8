using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchyard.Redis.Connections;
using Switchyard.Redis.Forwarding;
using Switchyard.Redis.Security;
using Switchyard.Redis.Sharding;

namespace Switchyard.Redis;

/// <summary>
/// The low-latency Redis flavour (channels_redis' <c>RedisPubSubChannelLayer</c>): a send is one <c>PUBLISH</c> on the
/// channel's Redis channel (<c>{prefix}:ps:{channel}</c>, on the server chosen by consistent hashing), and a process
/// that receives on a channel subscribes to it and buffers what arrives, in memory, for its receives. Nothing is stored
/// in Redis. It runs on StackExchange.Redis: one multiplexer per server, which publishes on its command connection and
/// subscribes on its subscription connection.
/// </summary>
/// <remarks>
/// <para>A channel is subscribed by its first receive in this process (or by <see cref="ChannelLayer.NewChannelAsync"/>,
/// or by <see cref="ChannelLayer.GroupAddAsync"/> for the member channel) and stays subscribed while receives come;
/// a channel nobody in this process has received on for the idle period (30 s) loses its subscription and its buffer,
/// and the messages dropped with it are logged. Within one process, a receive that has started before a send gets
/// the message: the send waits for the receive's subscription to be in place.</para>
/// <para>A group is one Redis channel (<c>{prefix}:psg:{group}</c>). A group add subscribes this process to it and
/// records the member channel locally; a group send is one <c>PUBLISH</c>, and each listening process puts the
/// message in the buffer of each of its member channels. <see cref="GroupSendResult.Delivered"/> is what
/// <c>PUBLISH</c> reports: the number of processes listening to the group, not the number of members.</para>
/// <para>What this layer does NOT guarantee, unlike <see cref="RedisChannelLayer"/>:</para>
/// <list type="bullet">
/// <item><description>No capacity: sends never throw <see cref="ChannelFullException"/>; a buffer grows until it is received or dropped idle.</description></item>
/// <item><description>No expiry: neither messages nor group memberships expire (<see cref="ChannelLayerOptions.Expiry"/> and
/// <see cref="ChannelLayerOptions.GroupExpiry"/> are not enforced); memberships end with a discard, a flush, or the member channel going idle.</description></item>
/// <item><description>At most once, to listeners only: a message sent while no process is subscribed to its channel is gone, and
/// so is one published while a subscriber's connection is down. A receive only gets messages sent after its process subscribed.</description></item>
/// <item><description>Every process subscribed to a channel gets every message sent to it, so competing consumers in different
/// processes (worker channels) each get a copy: use <see cref="RedisChannelLayer"/> for those. Within one process, each message
/// goes to one receive.</description></item>
/// <item><description>Order is kept per channel and per group. A group message and a direct message to the same member may
/// arrive in either order when they are sent back to back: StackExchange.Redis hands each subscription's messages to its
/// own sequential loop, not one loop per connection.</description></item>
/// </list>
/// <para>When a server's connection is lost, StackExchange.Redis reconnects (backing off up to 1 s) and subscribes again to
/// every channel and group this process listens to there; the layer then logs <c>RedisPubSubResubscribed</c> with their
/// count, and waiting receives get what is published from then on. What was published while the connection was down is
/// lost, and sends fail fast meanwhile (<see cref="RedisConnectionException"/>).</para>
/// <para>On a Redis Cluster, plain <c>PUBLISH</c>/<c>SUBSCRIBE</c> is used: Redis broadcasts each message to every node, so a
/// subscriber connected to any node hears it. Sharded pub/sub (<c>SPUBLISH</c>/<c>SSUBSCRIBE</c>, which stays within the
/// channel's slot) is not used: every process would have to know it talks to a cluster before its first publish or subscribe,
/// and a layer that starts before its servers does not know that yet.</para>
/// </remarks>
public sealed partial class RedisPubSubChannelLayer : ChannelLayer, IStartableLayer
{
    private readonly RedisPubSubChannelLayerOptions _redisOptions;
    private readonly RedisServerConnection[] _servers;
    private readonly SemaphoreSlim[] _subscriptionLocks;
    private readonly Dictionary<string, StackExchange.Redis.ChannelMessageQueue>[] _subscribed;
    private readonly bool[] _resubscribe;
    private readonly ConsistentHashRing _ring;
    private readonly PayloadEncryption? _encryption;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ChannelBuffer> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalGroup> _groups = new(StringComparer.Ordinal);
    private readonly string _prefix;
    private readonly Timer _sweeper;
    private readonly CancellationTokenSource _stopping = new();
    private readonly LayerConnections _connection;
    private int _sweeping;

    private RedisPubSubChannelLayer(RedisPubSubChannelLayerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
        : base("redis-pubsub", options.Layer, timeProvider, loggerFactory, meterFactory)
    {
        _redisOptions = options;
        _connection = new LayerConnections(options.Servers, options.ConfigureConnection, options.AbortOnConnectFail, loggerFactory, OnServersConnectionChanged, ResubscribeAllAsync);
        var servers = _servers = _connection.Servers;
        _subscriptionLocks = [.. servers.Select(_ => new SemaphoreSlim(1, 1))];
        _subscribed = [.. servers.Select(_ => new Dictionary<string, StackExchange.Redis.ChannelMessageQueue>(StringComparer.Ordinal))];
        _resubscribe = new bool[servers.Length];
        _ring = new ConsistentHashRing([.. servers.Select(s => s.Name)]);
        _encryption = options.EncryptionKeys.Count > 0 ? new PayloadEncryption([.. options.EncryptionKeys]) : null;
        _prefix = options.Prefix;
        // Real time, not the layer's clock: subscriptions and buffers are a resource of this process, not message state.
        _sweeper = new Timer(static s => _ = ((RedisPubSubChannelLayer)s!).SweepIdleChannelsAsync(), this, options.IdleSubscription, options.IdleSubscription);
        for (var shard = 0; shard < servers.Length; shard++)
        {
            var index = shard;
            servers[shard].SubscriptionsRestored += () =>
            {
                Volatile.Write(ref _resubscribe[index], true);
                _ = ResubscribeAsync(index);
            };

            // The subscription connection may be back before the command connection: then resubscribing waits for both.
            servers[shard].ConnectionChanged += (connected, _error) =>
            {
                if (connected)
                {
                    _ = ResubscribeAsync(index);
                }
            };
        }
    }

    /// <inheritdoc />
    /// <remarks>Not while any of its servers is away, nor before the first connect of a layer that started without them.</remarks>
    public override bool IsConnected => _connection.IsConnected;

    /// <inheritdoc />
    /// <remarks>No <see cref="ChannelLayerCapabilities.Capacity"/>, <see cref="ChannelLayerCapabilities.Expiry"/>,
    /// <see cref="ChannelLayerCapabilities.Queued"/> or <see cref="ChannelLayerCapabilities.GroupMemberCounts"/>.</remarks>
    public override ChannelLayerCapabilities Capabilities => ChannelLayerCapabilities.Groups | ChannelLayerCapabilities.Flush | ChannelLayerCapabilities.CrossProcess;

    /// <summary>
    /// Connects to every server (all at once, each within its connect timeout) and returns the layer. A server that
    /// cannot be reached does not stop it (unless <see cref="RedisPubSubChannelLayerOptions.AbortOnConnectFail"/>): the
    /// layer is returned not connected (<see cref="IsConnected"/> false, unhealthy), connects in the background,
    /// subscribes to what it was asked for meanwhile, and raises <see cref="ChannelLayer.ConnectionChanged"/> once every
    /// server is there.
    /// </summary>
    /// <param name="options">Servers, prefix, encryption and the common layer options (of which only the message size applies).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log events go.</param>
    /// <param name="meterFactory">Where metrics go.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The layer, connected unless a server could not be reached.</returns>
    /// <exception cref="RedisConnectionException">A server cannot be reached and <see cref="RedisPubSubChannelLayerOptions.AbortOnConnectFail"/> is set, or connecting was cancelled.</exception>
    /// <exception cref="RedisServerException">A server refused the handshake (a wrong password or database).</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<RedisPubSubChannelLayer> ConnectAsync(
        RedisPubSubChannelLayerOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        return await IStartableLayer.StartOrCloseAsync(Create(options, timeProvider, loggerFactory, meterFactory), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The layer, not connected yet (no I/O): <see cref="StartAsync"/> connects it.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    internal static RedisPubSubChannelLayer Create(RedisPubSubChannelLayerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Layer.Validate();
        if (options.Servers.Count == 0)
        {
            throw new ArgumentException($"{nameof(RedisPubSubChannelLayerOptions)}.{nameof(RedisPubSubChannelLayerOptions.Servers)} needs at least one Redis connection string.");
        }

        if (options.IdleSubscription <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RedisPubSubChannelLayerOptions)}.{nameof(RedisPubSubChannelLayerOptions.IdleSubscription)} must be positive, not {options.IdleSubscription}.");
        }

        ChannelNames.ValidateGroupName(options.Prefix, nameof(options.Prefix));
        return new RedisPubSubChannelLayer(options, timeProvider, loggerFactory, meterFactory);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => _connection.StartAsync(cancellationToken);

    /// <summary>
    /// Calls <paramref name="observer"/> with each StackExchange.Redis connection of the layer (one per entry of
    /// <see cref="RedisPubSubChannelLayerOptions.Servers"/>): at once for those made, later for those still being made
    /// (OpenTelemetry's Redis instrumentation, as for <see cref="RedisChannelLayer.ObserveConnections"/>).
    /// </summary>
    /// <param name="observer">What to call with each connection.</param>
    public void ObserveConnections(Action<IConnectionMultiplexer> observer) => _connection.ObserveConnections(observer);

    // Subscriptions asked for before the connection was there are made now.
    private async Task ResubscribeAllAsync()
    {
        for (var shard = 0; shard < _servers.Length; shard++)
        {
            await ResubscribeAsync(shard).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>Never throws <see cref="ChannelFullException"/>. Only processes subscribed to the channel when Redis runs the
    /// <c>PUBLISH</c> get the message; with none, it is gone.</remarks>
    protected override async ValueTask SendCoreAsync(string channel, ChannelMessage message, CancellationToken cancellationToken)
    {
        await _connection.WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var key = ChannelKey(channel);
        await WaitForLocalSubscriptionAsync(key, cancellationToken).ConfigureAwait(false);
        var payload = Envelope.Encode(message, 0, _encryption);
        await PublishAsync(_servers[_ring.GetShard(channel)], key, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask<ChannelMessage> ReceiveCoreAsync(string channel, CancellationToken cancellationToken)
    {
        // Subscribing before the first connect attempt has ended would miss what is published meanwhile.
        await _connection.WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        // Subscribe first, even for a receive that is already cancelled: the channel is in use in this process from
        // now on, and what is sent after this call is kept for the next receive.
        var buffer = Acquire(channel, receiving: true);
        try
        {
            // Close completes the buffers it finds; one made after it looked sees the closed flag here instead.
            if (IsClosed)
            {
                throw ClosedException("receive");
            }

            // A cancelled read never takes a message: it stays in the buffer for the next receive.
            return await buffer.Messages.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException) when (IsClosed)
        {
            throw ClosedException("receive");
        }
        finally
        {
            Release(buffer);
        }
    }

    /// <inheritdoc />
    /// <remarks>The new channel is subscribed before its name is returned, so what is sent to it from then on is kept
    /// for its first receive (for the idle period).</remarks>
    protected override async ValueTask<string> NewChannelCoreAsync(string prefix, CancellationToken cancellationToken)
    {
        // Subscribing before the first connect attempt has ended would miss what is published meanwhile.
        await _connection.WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var name = await base.NewChannelCoreAsync(prefix, cancellationToken).ConfigureAwait(false);
        var buffer = Acquire(name, receiving: false);
        await buffer.Subscribed.WaitAsync(cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The channel is subscribed in this process (as by a receive) and stays subscribed, never dropped as idle, while the
    /// forwarder is attached. Each message that arrives for it, directly or through a group, is offered to the forwarder
    /// before the buffer, on the reader of the subscription it came by; a group message is decoded once per process and
    /// that one instance is offered to every member here.
    /// </remarks>
    protected override IDisposable AttachForwarderCore(string channel, IChannelForwarder forwarder)
    {
        ChannelBuffer buffer;
        bool created;
        lock (_lock)
        {
            (buffer, created) = GetOrAddBufferLocked(channel);
            buffer.Forwarder = forwarder;
        }

        if (created)
        {
            _ = SubscribeAsync(buffer);
        }

        return new ForwarderAttachment(this, buffer, forwarder);
    }

    /// <inheritdoc />
    /// <remarks>Subscribes this process to the group and to the member channel, which from then on keeps what is sent to
    /// it for its receives. Memberships do not expire.</remarks>
    protected override async ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        // Subscribing before the first connect attempt has ended would miss what is published meanwhile.
        await _connection.WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var key = GroupKey(group);
        ChannelBuffer buffer;
        bool created;
        LocalGroup? local;
        lock (_lock)
        {
            (buffer, created) = GetOrAddBufferLocked(channel);
            if (!_groups.TryGetValue(key, out local))
            {
                local = new LocalGroup(group, key, _ring.GetShard(group));
                _groups.Add(key, local);
            }

            local.Members[channel] = buffer;
            local.MembersChanged();
            buffer.Groups.Add(key);
        }

        if (created)
        {
            _ = SubscribeAsync(buffer);
        }

        await ReconcileAsync(local.Shard, key).WaitAsync(cancellationToken).ConfigureAwait(false);
        await buffer.Subscribed.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        var key = GroupKey(group);
        LocalGroup? emptied = null;
        lock (_lock)
        {
            if (_groups.TryGetValue(key, out var local) && local.Members.Remove(channel, out var buffer))
            {
                local.MembersChanged();
                buffer.Groups.Remove(key);
                if (local.Members.Count == 0)
                {
                    _groups.Remove(key);
                    emptied = local;
                }
            }
        }

        if (emptied is not null)
        {
            await ReconcileAsync(emptied.Shard, key).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>One <c>PUBLISH</c>; <see cref="GroupSendResult.Delivered"/> is the number of processes listening to the
    /// group (each fans the message out to its own members), not the number of members. Nothing is ever skipped.</remarks>
    protected override async ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken)
    {
        await _connection.WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var payload = Envelope.Encode(message, 0, _encryption);
        var listeners = await PublishAsync(_servers[_ring.GetShard(group)], GroupKey(group), payload, cancellationToken).ConfigureAwait(false);
        return new GroupSendResult((int)listeners, 0);
    }

    /// <inheritdoc />
    /// <remarks>Drops this process's buffered messages and group memberships (other processes keep theirs). Channels with a
    /// waiting receive stay subscribed; the others lose their subscription.</remarks>
    protected override async ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        var unsubscribe = new List<(int Shard, string Key)>();
        lock (_lock)
        {
            foreach (var group in _groups.Values)
            {
                unsubscribe.Add((group.Shard, group.Key));
            }

            _groups.Clear();
            foreach (var buffer in _channels.Values.ToArray())
            {
                buffer.Groups.Clear();
                buffer.Drain();

                // A channel with a forwarder stays subscribed: its connection is still there.
                if (buffer.Receivers == 0 && buffer.Forwarder is null)
                {
                    _channels.Remove(buffer.Key);
                    buffer.Messages.Writer.TryComplete();
                    unsubscribe.Add((buffer.Shard, buffer.Key));
                }
            }
        }

        foreach (var (shard, key) in unsubscribe)
        {
            await ReconcileAsync(shard, key).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask CloseCoreAsync()
    {
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);

        ChannelBuffer[] buffers;
        lock (_lock)
        {
            buffers = [.. _channels.Values];
        }

        // Waiting receives end with the closed exception (see ReceiveCoreAsync).
        foreach (var buffer in buffers)
        {
            buffer.Messages.Writer.TryComplete();
        }

        _encryption?.Dispose();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Healthy when every server's command and subscription connections are up (the subscription connection is this
    /// layer's receive path: what it carries is what receives get) and every server answers a PING within 2 s. Unhealthy
    /// otherwise, naming the first problem and the server (never a password). The data holds <c>servers</c>,
    /// <c>connectedServers</c> and <c>subscriptions</c>.
    /// </remarks>
    public override async ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            return HealthCheckResult.Unhealthy($"The {Name} channel layer is closed.");
        }

        // The subscription connection is the layer's receive path: what it carries is what receives get.
        var problem = _servers.FirstOrDefault(s => s.IsConnected && !s.Subscriber.IsConnected()) is { } deaf
            ? $"the subscription connection to Redis at {deaf.Name} is down"
            : await ServerHealth.FindProblemAsync(_servers, cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["servers"] = _servers.Length,
            ["connectedServers"] = ServerHealth.Connected(_servers),
            ["subscriptions"] = SubscriptionCount(),
        };
        return problem is null
            ? HealthCheckResult.Healthy($"The {Name} channel layer is connected to its {_servers.Length} Redis server(s).", data)
            : HealthCheckResult.Unhealthy($"The {Name} channel layer cannot work: {problem}.", data: data);
    }

    private int SubscriptionCount()
    {
        lock (_lock)
        {
            return _channels.Count + _groups.Count;
        }
    }

    private void OnServersConnectionChanged(bool connected, Exception? error)
    {
        if (!IsClosed)
        {
            OnConnectionChanged(connected, error);
        }
    }

    private string ChannelKey(string channel) => $"{_prefix}:ps:{channel}";

    private string GroupKey(string group) => $"{_prefix}:psg:{group}";

    // Finds or makes the channel's buffer, subscribing on first use, and marks it in use.
    private ChannelBuffer Acquire(string channel, bool receiving)
    {
        ChannelBuffer buffer;
        bool created;
        lock (_lock)
        {
            (buffer, created) = GetOrAddBufferLocked(channel);
            if (receiving)
            {
                buffer.Receivers++;
            }
        }

        if (created)
        {
            _ = SubscribeAsync(buffer);
        }

        return buffer;
    }

    // Under _lock. The caller subscribes a created buffer once it has left the lock.
    private (ChannelBuffer Buffer, bool Created) GetOrAddBufferLocked(string channel)
    {
        var key = ChannelKey(channel);
        var created = !_channels.TryGetValue(key, out var buffer);
        if (created)
        {
            buffer = new ChannelBuffer(this, channel, key, _ring.GetShard(channel));
            _channels.Add(key, buffer);
        }

        buffer!.IdleSince = Environment.TickCount64;
        return (buffer, created);
    }

    private void Release(ChannelBuffer buffer)
    {
        lock (_lock)
        {
            buffer.Receivers--;
            buffer.IdleSince = Environment.TickCount64;
        }
    }

    private async Task SubscribeAsync(ChannelBuffer buffer)
    {
        try
        {
            await ReconcileAsync(buffer.Shard, buffer.Key).ConfigureAwait(false);
        }
        finally
        {
            buffer.MarkSubscribed();
        }
    }

    // A send in this process waits for a receive of this process that subscribed just before it: the receive started
    // first, so it gets the message.
    private Task WaitForLocalSubscriptionAsync(string key, CancellationToken cancellationToken)
    {
        Task? subscribed = null;
        lock (_lock)
        {
            if (_channels.TryGetValue(key, out var buffer) && !buffer.Subscribed.IsCompleted)
            {
                subscribed = buffer.Subscribed;
            }
        }

        return subscribed is null ? Task.CompletedTask : subscribed.WaitAsync(cancellationToken);
    }

    private async Task SweepIdleChannelsAsync()
    {
        if (IsClosed || Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            var idle = _redisOptions.IdleSubscription;
            var now = Environment.TickCount64;
            var unsubscribe = new List<(int Shard, string Key)>();
            var dropped = new List<ChannelBuffer>();
            lock (_lock)
            {
                foreach (var buffer in _channels.Values)
                {
                    // A channel with a forwarder, or with messages waiting for room, is in use even when nobody receives.
                    if (buffer.Receivers == 0 && buffer.Subscribed.IsCompleted && now - buffer.IdleSince >= (long)idle.TotalMilliseconds && buffer.IsIdle)
                    {
                        dropped.Add(buffer);
                    }
                }

                foreach (var buffer in dropped)
                {
                    // The channel is gone from this process: it leaves its local groups too, as a consumer that stopped
                    // receiving would.
                    _channels.Remove(buffer.Key);
                    buffer.Messages.Writer.TryComplete();
                    unsubscribe.Add((buffer.Shard, buffer.Key));
                    foreach (var key in buffer.Groups)
                    {
                        if (_groups.TryGetValue(key, out var group) && group.Members.Remove(buffer.Channel))
                        {
                            group.MembersChanged();
                            if (group.Members.Count == 0)
                            {
                                _groups.Remove(key);
                                unsubscribe.Add((group.Shard, group.Key));
                            }
                        }
                    }

                    buffer.Groups.Clear();
                }
            }

            foreach (var (shard, key) in unsubscribe)
            {
                await ReconcileAsync(shard, key).ConfigureAwait(false);
            }

            // Logged once the subscriptions are gone, so the event means the channel has left this process.
            foreach (var buffer in dropped)
            {
                var count = buffer.Drain();
                if (count > 0)
                {
                    Metrics.Expired(count);
                    RedisLog.MessagesDropped(Logger, count, buffer.Channel, idle);
                }
                else
                {
                    RedisLog.IdleChannelDropped(Logger, buffer.Channel, idle);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void Detach(ChannelBuffer buffer, IChannelForwarder forwarder)
    {
        lock (_lock)
        {
            if (ReferenceEquals(buffer.Forwarder, forwarder))
            {
                buffer.Forwarder = null;
                buffer.IdleSince = Environment.TickCount64;
            }
        }
    }

    /// <summary>A forwarder attached to a channel; disposing it detaches that forwarder (not a later one).</summary>
    private sealed class ForwarderAttachment(RedisPubSubChannelLayer layer, ChannelBuffer buffer, IChannelForwarder forwarder) : IDisposable
    {
        public void Dispose() => layer.Detach(buffer, forwarder);
    }
}
