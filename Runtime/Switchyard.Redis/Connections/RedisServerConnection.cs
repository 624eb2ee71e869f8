using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Switchyard.Redis.Connections;

/// <summary>
/// One entry of a Redis layer's <c>Servers</c>: a Redis server, or a Redis Cluster reached through any of its nodes, on
/// one StackExchange.Redis <see cref="ConnectionMultiplexer"/>. StackExchange.Redis does the connecting, pipelining,
/// reconnecting (100 ms backoff doubling to <see cref="MaxBackoff"/>), resubscribing and, on a cluster, routing each
/// command to the master of its key's slot; this type adds what the layers need on top: it exists before it connects
/// (so a layer can be made without waiting for I/O and connected by a hosted service), commands fail fast while the
/// connection is down (no backlog: the layer decides what waits), a task that completes when every connection is up
/// again, and one event per change of that.
/// </summary>
internal sealed class RedisServerConnection : IAsyncDisposable
{
    /// <summary>The longest pause between two connect attempts: a server that is back waits no longer than this to be used.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private readonly ConfigurationOptions _configuration;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private ConnectionMultiplexer? _multiplexer;
    private IDatabase? _database;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ReportedConnection _state = new(connected: false);
    private bool? _isCluster;
    private Exception? _lastError;
    private Task _changes = Task.CompletedTask;
    private int _disposed;

    private RedisServerConnection(ConfigurationOptions configuration, ILogger logger)
    {
        _configuration = configuration;
        _logger = logger;
        Name = string.Join(',', configuration.EndPoints.Select(Format));
        CommandTimeout = TimeSpan.FromMilliseconds(configuration.AsyncTimeout);
    }

    /// <summary>Raised (on a thread-pool thread, in order) when every connection is up (<see langword="true"/>) or one went down, with why.</summary>
    public event Action<bool, Exception?>? ConnectionChanged;

    /// <summary>Raised (on a thread-pool thread) when a subscription connection is back and StackExchange.Redis has subscribed again.</summary>
    public event Action? SubscriptionsRestored;

    /// <summary>Gets the endpoints, as logs and errors name the server (never a password).</summary>
    public string Name { get; }

    /// <summary>Gets the multiplexer once connecting has begun (the application's instrumentation reaches it through the layer's options).</summary>
    /// <exception cref="RedisConnectionException">Connecting has not begun.</exception>
    public IConnectionMultiplexer Multiplexer => Volatile.Read(ref _multiplexer) ?? throw NotStarted();

    /// <summary>Gets the database the connection string names (<c>defaultDatabase</c>, 0 when it names none).</summary>
    /// <exception cref="RedisConnectionException">Connecting has not begun (the command never left: safe to try again).</exception>
    public IDatabase Database => Volatile.Read(ref _database) ?? throw NotStarted();

    /// <exception cref="RedisConnectionException">Connecting has not begun.</exception>
    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    /// <summary>Gets how long a command may wait for its reply (the connection string's <c>asyncTimeout</c>).</summary>
    public TimeSpan CommandTimeout { get; }

    /// <summary>Gets a value indicating whether every connection (to every node of a cluster) is up.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_lock)
            {
                return _state.IsConnected;
            }
        }
    }

    /// <summary>Gets a task that completes when every connection is up (at once when they are).</summary>
    public Task WhenConnected
    {
        get
        {
            lock (_lock)
            {
                return _connected.Task;
            }
        }
    }

    /// <summary>Gets why a connection is down (the last failure), <see langword="null"/> before any.</summary>
    public Exception? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    /// <summary>
    /// Gets a value indicating whether this is a Redis Cluster, so a script may touch the keys of one hash slot only
    /// (known once connected; until then every command fails fast anyway).
    /// </summary>
    public bool IsCluster
    {
        get
        {
            if (_isCluster is { } known)
            {
                return known;
            }

            if (Volatile.Read(ref _multiplexer) is not { } multiplexer || Servers(multiplexer) is not { } servers || !servers.Any(s => s.IsConnected))
            {
                return false;
            }

            var cluster = servers.Any(s => s.ServerType == ServerType.Cluster);
            _isCluster = cluster;
            return cluster;
        }
    }

    /// <summary>Reads a connection string as StackExchange.Redis does, with the settings the layers rely on.</summary>
    /// <exception cref="ArgumentException">The string is not a valid StackExchange.Redis configuration string (the message never shows a password).</exception>
    public static ConfigurationOptions Configure(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            throw new ArgumentException($"'{Redact(connectionString)}' is not a valid Redis connection string: {Redact(ex.Message)}", nameof(connectionString), ex);
        }

        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException($"'{Redact(connectionString)}' names no Redis server (host:port).", nameof(connectionString));
        }

        options.ClientName ??= "switchyard";
        Enforce(options);
        return options;
    }

    /// <summary>The connections of a layer's <c>Servers</c>, each configuration adjusted by <paramref name="configure"/>, not connected yet (no I/O here).</summary>
    /// <exception cref="ArgumentException">A connection string is invalid.</exception>
    public static RedisServerConnection[] Create(IEnumerable<string> connectionStrings, Action<ConfigurationOptions>? configure, ILoggerFactory? loggerFactory)
    {
        var logger = (ILogger?)loggerFactory?.CreateLogger("Switchyard.Redis") ?? NullLogger.Instance;
        return [.. connectionStrings.Select(s =>
        {
            var options = Configure(s);
            configure?.Invoke(options);
            Enforce(options);
            return new RedisServerConnection(options, logger);
        })];
    }

    /// <summary>
    /// Connects every one of <paramref name="servers"/> at once (<see cref="ConnectAsync"/> each); the first failure is
    /// thrown once all have tried.
    /// </summary>
    public static async Task ConnectAllAsync(IEnumerable<RedisServerConnection> servers, bool abortOnConnectFail, CancellationToken cancellationToken)
    {
        var attempts = servers.Select(s => s.ConnectAsync(abortOnConnectFail, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(attempts).ConfigureAwait(false);
        }
        catch (Exception)
        {
            throw attempts.Select(a => a.Exception?.InnerException).First(e => e is not null)!;
        }
    }

    /// <summary>
    /// Connects. A server that cannot be reached is an error with <paramref name="abortOnConnectFail"/>; without it the
    /// connection goes on connecting in the background (logged once) and this returns. A server that answers but
    /// refuses the handshake (a wrong password) is an error either way.
    /// </summary>
    /// <exception cref="RedisConnectionException">The server cannot be reached (with <paramref name="abortOnConnectFail"/>), or connecting was cancelled.</exception>
    /// <exception cref="RedisServerException">The server refused the handshake.</exception>
    public async Task ConnectAsync(bool abortOnConnectFail, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = _configuration.Clone();

        // First with abort on: a refused handshake and an unreachable server tell themselves apart only then.
        options.AbortOnConnectFail = true;
        try
        {
            Attach(await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (StackExchange.Redis.RedisConnectionException ex) when (ex.FailureType is ConnectionFailureType.AuthenticationFailure)
        {
            throw new RedisServerException($"Redis at {Name} refused the connection: {ex.Message}", ex);
        }
        catch (StackExchange.Redis.RedisConnectionException ex) when (abortOnConnectFail || cancellationToken.IsCancellationRequested)
        {
            throw new RedisConnectionException($"Could not connect to Redis at {Name}: {ex.Message}", ex) { CommandMayHaveRun = false };
        }
        catch (OperationCanceledException ex)
        {
            throw new RedisConnectionException($"Connecting to Redis at {Name} was cancelled.", ex) { CommandMayHaveRun = false };
        }
        catch (StackExchange.Redis.RedisConnectionException ex)
        {
            RedisLog.StartedWithoutServer(_logger, Name, ex.Message, MaxBackoff);
            lock (_lock)
            {
                _lastError = ex;
            }

            options.AbortOnConnectFail = false;
            Attach(await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// A second connection to the same server for one reader's blocking pops (<c>BLMPOP</c>), which must never run on a
    /// shared multiplexer: every other command would wait behind them. No subscription connection. Returned at once;
    /// it connects in the background when the server is away.
    /// </summary>
    public async Task<RedisServerConnection> ConnectDedicatedAsync(CancellationToken cancellationToken)
    {
        var options = _configuration.Clone();
        options.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"], available: false);
        options.ClientName = "switchyard-inbox";
        var dedicated = new RedisServerConnection(options, NullLogger.Instance);
        options.AbortOnConnectFail = false;
        dedicated.Attach(await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false));
        return dedicated;
    }

    /// <summary>The nodes to run a whole-keyspace operation on (a flush): the masters of a cluster, or the one server.</summary>
    public IServer[] Masters() => [.. Servers((ConnectionMultiplexer)Multiplexer).Where(s => !s.IsReplica)];

    /// <inheritdoc />
    public override string ToString() => Name;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        ConnectionMultiplexer? multiplexer;
        lock (_lock)
        {
            multiplexer = _multiplexer;
        }

        if (multiplexer is not null)
        {
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The layer waits for Redis itself (ReconnectWait) and only for commands that never left: no backlog.
    private static void Enforce(ConfigurationOptions options)
    {
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry((int)FirstBackoff.TotalMilliseconds, (int)MaxBackoff.TotalMilliseconds);
    }

    private static string Format(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "?",
    };

    private static string Redact(string text) =>
        string.Join(',', text.Split(',').Select(p => p.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : p));

    private RedisConnectionException NotStarted() =>
        new(Volatile.Read(ref _disposed) != 0 ? $"The connection to Redis at {Name} is closed." : $"Not connected to Redis at {Name} yet: the layer is still starting.")
        {
            CommandMayHaveRun = false,
        };

    private void Attach(ConnectionMultiplexer multiplexer)
    {
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        lock (_lock)
        {
            _multiplexer = multiplexer;
            _database = multiplexer.GetDatabase();

            // The state at the first connect is not a change: only what happens from now on is reported.
            _state = new ReportedConnection(AllConnected());
            if (_state.IsConnected)
            {
                _connected.TrySetResult();
                RedisLog.Reconnected(_logger, Name);
            }
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            // Closed while connecting.
            _ = multiplexer.DisposeAsync().AsTask();
        }
    }

    private bool AllConnected() => _multiplexer is { } multiplexer && Servers(multiplexer) is { Length: > 0 } servers && servers.All(s => s.IsConnected);

    // The nodes StackExchange.Redis knows, less the address-less entry a cluster node lists for itself until it has met
    // another node (":6379" in CLUSTER NODES, as a single-node cluster made with CLUSTER ADDSLOTSRANGE shows it; read as
    // host ":6379", port 0): nothing can connect to that one, and the node is reached through its configured address.
    private static IServer[] Servers(ConnectionMultiplexer multiplexer) =>
        [.. multiplexer.GetServers().Where(s => s.EndPoint is not DnsEndPoint { Port: 0 } and not DnsEndPoint { Host: "" or [':', ..] })];

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var error = e.Exception ?? new IOException($"{e.FailureType} on the {e.ConnectionType} connection to {(e.EndPoint is { } endPoint ? Format(endPoint) : Name)}.");
        lock (_lock)
        {
            _lastError = error;
        }

        // A loss of the command connection counts even if the client has reconnected by the time this runs.
        Update(error, lost: e.ConnectionType == ConnectionType.Interactive);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        Update(null, lost: false);
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = Task.Run(() => SubscriptionsRestored?.Invoke(), CancellationToken.None);
        }
    }

    // One report per change of "every connection up", in order; the owners' handlers run off StackExchange.Redis's thread.
    private void Update(Exception? error, bool lost)
    {
        lock (_lock)
        {
            var changes = lost ? _state.Lost(AllConnected()) : _state.Observed(AllConnected());
            if ((changes & ConnectionChanges.Lost) != 0)
            {
                Report(connected: false, error);
            }

            if ((changes & ConnectionChanges.Back) != 0)
            {
                Report(connected: true, error: null);
            }
        }
    }

    // Under the lock.
    private void Report(bool connected, Exception? error)
    {
        if (connected)
        {
            _connected.TrySetResult();
            RedisLog.Reconnected(_logger, Name);
        }
        else
        {
            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            RedisLog.ConnectionLost(_logger, error, Name);
        }

        var handlers = ConnectionChanged;
        if (handlers is not null)
        {
            // Queued under the lock, so the owners see the changes in the order they happened.
            _changes = _changes.ContinueWith(_ => handlers(connected, error), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }
}
