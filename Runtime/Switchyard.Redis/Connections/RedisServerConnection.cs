using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Switchyard.Redis.Connections;

/// <summary>
/// One entry of a Redis layer's <c>Servers</c>: a Redis server, or a Redis Cluster reached through any of its nodes, on
/// one StackExchange.Redis <see cref="ConnectionMultiplexer"/>. StackExchange.Redis does the connecting, pipelining,
/// reconnecting (100 ms backoff doubling to <see cref="MaxBackoff"/>), resubscribing and, on a cluster, routing each
/// command to the master of its key's slot; this type adds what the layers need on top: commands fail fast while the
/// connection is down (no backlog: the layer decides what waits), a task that completes when every connection is up
/// again, and one event per change of that.
/// </summary>
internal sealed class RedisServerConnection : IAsyncDisposable
{
    /// <summary>The longest pause between two connect attempts: a server that is back waits no longer than this to be used.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _reported;
    private bool? _isCluster;
    private Exception? _lastError;
    private Task _changes = Task.CompletedTask;
    private int _disposed;

    private RedisServerConnection(ConnectionMultiplexer multiplexer, string name, ILogger logger)
    {
        _multiplexer = multiplexer;
        _logger = logger;
        Name = name;
        Database = multiplexer.GetDatabase();
        Subscriber = multiplexer.GetSubscriber();
        CommandTimeout = TimeSpan.FromMilliseconds(multiplexer.TimeoutMilliseconds);
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        lock (_lock)
        {
            _reported = AllConnected();
            if (_reported)
            {
                _connected.TrySetResult();
            }
        }
    }

    /// <summary>Raised (on a thread-pool thread, in order) when every connection is up (<see langword="true"/>) or one went down, with why.</summary>
    public event Action<bool, Exception?>? ConnectionChanged;

    /// <summary>Raised (on a thread-pool thread) when a subscription connection is back and StackExchange.Redis has subscribed again.</summary>
    public event Action? SubscriptionsRestored;

    /// <summary>Gets the endpoints, as logs and errors name the server (never a password).</summary>
    public string Name { get; }

    /// <summary>Gets the multiplexer, for the application's instrumentation (OpenTelemetry) through the layer's options.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer;

    /// <summary>Gets the database the connection string names (<c>defaultDatabase</c>, 0 when it names none).</summary>
    public IDatabase Database { get; }

    public ISubscriber Subscriber { get; }

    /// <summary>Gets how long a command may wait for its reply (the connection string's <c>asyncTimeout</c>).</summary>
    public TimeSpan CommandTimeout { get; }

    /// <summary>Gets a value indicating whether every connection (to every node of a cluster) is up.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_lock)
            {
                return _reported;
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
    /// (known once connected; a layer that started without its server treats it as a single server until then).
    /// </summary>
    public bool IsCluster
    {
        get
        {
            if (_isCluster is { } known)
            {
                return known;
            }

            var servers = _multiplexer.GetServers();
            if (!servers.Any(s => s.IsConnected))
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

        // The layer waits for Redis itself (ReconnectWait) and only for commands that never left: no backlog.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry((int)FirstBackoff.TotalMilliseconds, (int)MaxBackoff.TotalMilliseconds);
        options.AbortOnConnectFail = false;
        options.ClientName ??= "switchyard";
        return options;
    }

    /// <summary>
    /// Connects. A server that cannot be reached is an error with <paramref name="abortOnConnectFail"/>; without it the
    /// connection is returned not connected and connects in the background (logged once). A server that answers but
    /// refuses the handshake (a wrong password) is an error either way.
    /// </summary>
    /// <exception cref="RedisConnectionException">A server cannot be reached (with <paramref name="abortOnConnectFail"/>), or connecting was cancelled.</exception>
    /// <exception cref="RedisServerException">The server refused the handshake.</exception>
    public static async Task<RedisServerConnection> ConnectAsync(
        string connectionString, bool abortOnConnectFail, ILogger logger, CancellationToken cancellationToken, Action<ConfigurationOptions>? adjust = null)
    {
        var options = Configure(connectionString);
        adjust?.Invoke(options);
        var name = string.Join(',', options.EndPoints.Select(Format));
        cancellationToken.ThrowIfCancellationRequested();

        // First with abort on: a refused handshake and an unreachable server tell themselves apart only then.
        options.AbortOnConnectFail = true;
        try
        {
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new RedisServerConnection(multiplexer, name, logger);
        }
        catch (StackExchange.Redis.RedisConnectionException ex) when (ex.FailureType is ConnectionFailureType.AuthenticationFailure)
        {
            throw new RedisServerException($"Redis at {name} refused the connection: {ex.Message}", ex);
        }
        catch (StackExchange.Redis.RedisConnectionException ex) when (abortOnConnectFail || cancellationToken.IsCancellationRequested)
        {
            throw new RedisConnectionException($"Could not connect to Redis at {name}: {ex.Message}", ex) { CommandMayHaveRun = false };
        }
        catch (OperationCanceledException ex)
        {
            throw new RedisConnectionException($"Connecting to Redis at {name} was cancelled.", ex) { CommandMayHaveRun = false };
        }
        catch (StackExchange.Redis.RedisConnectionException ex)
        {
            RedisLog.StartedWithoutServer(logger, name, ex.Message, MaxBackoff);
            options.AbortOnConnectFail = false;
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            var connection = new RedisServerConnection(multiplexer, name, logger);
            lock (connection._lock)
            {
                connection._lastError ??= ex;
            }

            return connection;
        }
    }

    /// <summary>
    /// Connects to every entry of a layer's <c>Servers</c> at once (<see cref="ConnectAsync"/> each). When one fails,
    /// the connections made are closed and that failure is thrown, naming its server.
    /// </summary>
    public static async Task<RedisServerConnection[]> ConnectAllAsync(
        IEnumerable<string> connectionStrings, bool abortOnConnectFail, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var logger = (ILogger?)loggerFactory?.CreateLogger("Switchyard.Redis") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var attempts = connectionStrings.Select(s => ConnectAsync(s, abortOnConnectFail, logger, cancellationToken)).ToArray();
        try
        {
            return await Task.WhenAll(attempts).ConfigureAwait(false);
        }
        catch (Exception)
        {
            foreach (var attempt in attempts)
            {
                if (attempt.IsCompletedSuccessfully)
                {
                    await attempt.Result.DisposeAsync().ConfigureAwait(false);
                }
            }

            throw attempts.Select(a => a.Exception?.InnerException).First(e => e is not null)!;
        }
    }

    /// <summary>
    /// A second connection to the same server for one reader's blocking pops (<c>BLMPOP</c>), which must never run on a
    /// shared multiplexer: every other command would wait behind them. No subscription connection.
    /// </summary>
    public async Task<RedisServerConnection> ConnectDedicatedAsync(string connectionString, CancellationToken cancellationToken) =>
        await ConnectAsync(connectionString, abortOnConnectFail: false, _logger, cancellationToken, static options =>
        {
            options.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"], available: false);
            options.ClientName = "switchyard-inbox";
        }).ConfigureAwait(false);

    /// <summary>The nodes to run a whole-keyspace operation on (a flush): the masters of a cluster, or the one server.</summary>
    public IServer[] Masters() => [.. _multiplexer.GetServers().Where(s => !s.IsReplica)];

    /// <inheritdoc />
    public override string ToString() => Name;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _multiplexer.ConnectionFailed -= OnConnectionFailed;
        _multiplexer.ConnectionRestored -= OnConnectionRestored;
        await _multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        await _multiplexer.DisposeAsync().ConfigureAwait(false);
    }

    private static string Format(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "?",
    };

    private static string Redact(string text) =>
        string.Join(',', text.Split(',').Select(p => p.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : p));

    private bool AllConnected() => _multiplexer.GetServers() is { Length: > 0 } servers && servers.All(s => s.IsConnected);

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var error = e.Exception ?? new IOException($"{e.FailureType} on the {e.ConnectionType} connection to {Format(e.EndPoint)}.");
        lock (_lock)
        {
            _lastError = error;
        }

        Update(error);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        Update(null);
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = Task.Run(() => SubscriptionsRestored?.Invoke(), CancellationToken.None);
        }
    }

    // One report per change of "every connection up", in order; the owners' handlers run off StackExchange.Redis's thread.
    private void Update(Exception? error)
    {
        bool connected;
        lock (_lock)
        {
            connected = AllConnected();
            if (connected == _reported)
            {
                return;
            }

            _reported = connected;
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
}
