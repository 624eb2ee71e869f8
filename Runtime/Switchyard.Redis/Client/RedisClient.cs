using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Redis.Resp;

namespace Switchyard.Redis.Client;

/// <summary>
/// A connection to one Redis server that comes back by itself: when the connection dies, commands fail fast with
/// <see cref="RedisConnectionException"/> while a background loop reconnects with a short exponential backoff (100 ms
/// doubling to <see cref="MaxBackoff"/>, 1 s, so a Redis that is back is found within about a second), then
/// <see cref="WhenConnected"/> completes, waking every waiter at once, and <see cref="Reconnected"/> fires so owners can
/// restore their subscriptions. A client can also start without its server (<see cref="ConnectInBackground"/>).
/// </summary>
internal sealed partial class RedisClient : IRedisExecutor, IAsyncDisposable
{
    /// <summary>The first pause after a failed connect.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between two connect attempts: a server that is back waits no longer than this to be used.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _lock = new();
    private RedisConnection? _connection;
    private Task? _reconnecting;
    private Exception? _lastError;
    private Action<RespValue>? _pushReceived;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RedisClient(RedisConnectionOptions options, ILogger? logger = null)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets or sets who receives RESP3 push messages, on this connection and every one after a reconnect.</summary>
    public Action<RespValue>? PushReceived
    {
        get => _pushReceived;
        set
        {
            lock (_lock)
            {
                _pushReceived = value;
                if (_connection is not null)
                {
                    _connection.PushReceived = value;
                }
            }
        }
    }

    /// <summary>Raised (on a thread-pool thread) after the connection was lost.</summary>
    public event Action<Exception>? Disconnected;

    /// <summary>
    /// Raised (on a thread-pool thread) when a lost connection is back, and when a client started with
    /// <see cref="ConnectInBackground"/> connects for the first time.
    /// </summary>
    public event Action? Reconnected;

    public RedisConnectionOptions Options => _options;

    /// <summary>Gets a task that completes when the client is connected (at once when it is).</summary>
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

    public bool IsConnected
    {
        get
        {
            lock (_lock)
            {
                return _connection is not null;
            }
        }
    }

    /// <summary>Gets why the client is not connected (the last failed connect, or what ended the last connection); <see langword="null"/> before any failure.</summary>
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

    /// <summary>Connects for the first time; a server that is not there is an error here, not a silent retry.</summary>
    /// <exception cref="RedisConnectionException">Redis cannot be reached.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var connection = await RedisConnection.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
        Attach(connection);
    }

    /// <summary>
    /// Connects in the background, trying at once (<paramref name="firstError"/> is <see langword="null"/>) or, after a
    /// connect that failed with <paramref name="firstError"/>, after the first backoff; then as after a lost connection.
    /// Commands fail fast with <see cref="RedisConnectionException"/> until it is connected. Does nothing when the
    /// client is connected or already connecting.
    /// </summary>
    public void ConnectInBackground(Exception? firstError = null)
    {
        lock (_lock)
        {
            if (_connection is not null || _reconnecting is { IsCompleted: false } || _disposed.IsCancellationRequested)
            {
                return;
            }

            _lastError = firstError ?? _lastError;
            var firstDelay = firstError is null ? TimeSpan.Zero : FirstBackoff;
            _reconnecting = Task.Run(() => ReconnectAsync(firstDelay, lost: null), CancellationToken.None);
        }
    }

    /// <summary>The pause before the next connect attempt after one of <paramref name="backoff"/> failed: doubled, at most <see cref="MaxBackoff"/>.</summary>
    public static TimeSpan NextBackoff(TimeSpan backoff) =>
        TimeSpan.FromTicks(Math.Clamp(backoff.Ticks * 2, FirstBackoff.Ticks, MaxBackoff.Ticks));

    /// <summary>Runs one command on the current connection.</summary>
    /// <exception cref="RedisConnectionException">Not connected (a reconnect is under way), or the connection died.</exception>
    /// <exception cref="RedisServerException">Redis answered with an error.</exception>
    /// <exception cref="TimeoutException">No reply within the command timeout.</exception>
    public Task<RespValue> ExecuteAsync(RedisArg[] command, CancellationToken cancellationToken = default) =>
        Current().ExecuteAsync(command, cancellationToken);

    /// <summary>Writes one command and returns its pending reply, so several commands can be in flight at once.</summary>
    public Task<Task<RespValue>> SendAsync(RedisArg[] command, CancellationToken cancellationToken = default) =>
        Current().SendAsync(command, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        RedisConnection? connection;
        Task? reconnecting;
        lock (_lock)
        {
            connection = _connection;
            _connection = null;
            reconnecting = _reconnecting;
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        if (reconnecting is not null)
        {
            await reconnecting.ConfigureAwait(false);
        }

        _disposed.Dispose();
    }

    private RedisConnection Current()
    {
        lock (_lock)
        {
            return _connection ?? throw new RedisConnectionException(
                $"Not connected to Redis at {_options}; reconnecting in the background. Last error: {_lastError?.Message ?? "none"}.",
                _lastError ?? new IOException("Not connected."))
            {
                CommandMayHaveRun = false,
            };
        }
    }

    private void Attach(RedisConnection connection)
    {
        lock (_lock)
        {
            connection.PushReceived = _pushReceived;
            _connection = connection;
            _connected.TrySetResult();
        }

        connection.Ending = OnEnding;
        if (connection.Closed.IsCompleted)
        {
            // It ended before the hook was in place.
            OnEnding(connection, connection.Closed.Result);
        }
    }

    // Synchronous, inside the connection's failure path: stop handing the connection out and start reconnecting; the
    // loss is logged and raised from the reconnect loop, off this thread.
    private void OnEnding(RedisConnection connection, Exception cause)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_connection, connection) || _disposed.IsCancellationRequested)
            {
                return;
            }

            _connection = null;
            _lastError = cause;
            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _reconnecting = Task.Run(() => ReconnectAsync(FirstBackoff, cause), CancellationToken.None);
        }
    }

    // Tells of the loss (so Disconnected always comes before the Reconnected that follows it), then tries until connected.
    private async Task ReconnectAsync(TimeSpan firstDelay, Exception? lost)
    {
        if (lost is not null)
        {
            Log.ConnectionLost(_logger, lost, _options.ToString());
            try
            {
                Disconnected?.Invoke(lost);
            }
            catch (Exception ex)
            {
                // The owners' handlers do not throw; if one did, reconnecting must go on all the same.
                Log.HandlerFailed(_logger, ex, _options.ToString());
            }
        }

        var delay = firstDelay;
        var token = _disposed.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }

                var connection = await RedisConnection.ConnectAsync(_options, token).ConfigureAwait(false);
                Attach(connection);
                Log.Reconnected(_logger, _options.ToString());
                Reconnected?.Invoke();
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (RedisLayerException ex)
            {
                lock (_lock)
                {
                    _lastError = ex;
                }

                // No log per attempt: the loss (or the failed start) was logged once.
                delay = NextBackoff(delay);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, EventName = "RedisConnectionLost", Level = LogLevel.Warning,
            Message = "Lost the connection to Redis at {Server}; commands fail fast while it reconnects.")]
        public static partial void ConnectionLost(ILogger logger, Exception exception, string server);

        [LoggerMessage(EventId = 501, EventName = "RedisReconnected", Level = LogLevel.Information,
            Message = "Reconnected to Redis at {Server}.")]
        public static partial void Reconnected(ILogger logger, string server);

        [LoggerMessage(EventId = 503, EventName = "RedisConnectionHandlerFailed", Level = LogLevel.Error,
            Message = "A handler of the lost connection to Redis at {Server} failed; reconnecting goes on.")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string server);
    }
}
