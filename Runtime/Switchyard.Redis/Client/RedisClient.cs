using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Redis.Resp;

namespace Switchyard.Redis.Client;

/// <summary>
/// A connection to one Redis server that comes back by itself: when the connection dies, commands fail fast with
/// <see cref="RedisConnectionException"/> while a background loop reconnects with exponential backoff (100 ms doubling
/// to 5 s), then <see cref="Reconnected"/> fires so owners can restore their subscriptions.
/// </summary>
internal sealed partial class RedisClient : IRedisExecutor, IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

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

    /// <summary>Raised (on a thread-pool thread) when a lost connection is back.</summary>
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

    /// <summary>Connects for the first time; a server that is not there is an error here, not a silent retry.</summary>
    /// <exception cref="RedisConnectionException">Redis cannot be reached.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var connection = await RedisConnection.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
        Attach(connection);
    }

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

        _ = connection.Closed.ContinueWith(
            static (closed, state) =>
            {
                var (client, connection) = ((RedisClient, RedisConnection))state!;
                client.OnClosed(connection, closed.Result);
            },
            (this, connection),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnClosed(RedisConnection connection, Exception cause)
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
            _reconnecting = ReconnectAsync();
        }

        Log.ConnectionLost(_logger, cause, _options.ToString());
        Disconnected?.Invoke(cause);
    }

    private async Task ReconnectAsync()
    {
        var backoff = FirstBackoff;
        var token = _disposed.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(backoff, token).ConfigureAwait(false);
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

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
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
    }
}
