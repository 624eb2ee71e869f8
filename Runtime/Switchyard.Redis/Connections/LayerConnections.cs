using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Switchyard.Redis.Connections;

/// <summary>
/// What both Redis layer flavours do with their servers, in one place: the connections (made without I/O), connecting
/// them once (a hosted service or <c>ConnectAsync</c> starts it; a command that comes before that first attempt has
/// ended waits for it), whether every server is connected and each change of that, and handing each connection to
/// the application's observers (OpenTelemetry).
/// </summary>
internal sealed class LayerConnections : IAsyncDisposable
{
    private readonly bool _abortOnConnectFail;
    private readonly Func<Task> _afterConnect;
    private readonly ConnectionTracker _tracker;
    private readonly Lock _lock = new();
    private readonly List<Action<IConnectionMultiplexer>> _observers = [];
    private Task? _starting;
    private bool _connected;

    /// <param name="servers">The connection strings.</param>
    /// <param name="configure">The application's change to each server's configuration.</param>
    /// <param name="abortOnConnectFail">Whether a server that cannot be reached fails the start.</param>
    /// <param name="loggerFactory">Where connection events are logged.</param>
    /// <param name="changed">Told (in order) when every server is connected, or one is lost and why; not of the first connect.</param>
    /// <param name="afterConnect">The layer's own work once the first attempt has ended (subscribing what waited).</param>
    /// <exception cref="ArgumentException">A connection string is invalid.</exception>
    public LayerConnections(
        IEnumerable<string> servers,
        Action<ConfigurationOptions>? configure,
        bool abortOnConnectFail,
        ILoggerFactory? loggerFactory,
        Action<bool, Exception?> changed,
        Func<Task> afterConnect)
    {
        Servers = RedisServerConnection.Create(servers, configure, loggerFactory);
        _abortOnConnectFail = abortOnConnectFail;
        _afterConnect = afterConnect;
        _tracker = new ConnectionTracker(Servers, changed);
    }

    /// <summary>Gets one connection per entry of the layer's <c>Servers</c>, in their order.</summary>
    public RedisServerConnection[] Servers { get; }

    /// <summary>Gets a value indicating whether every server is connected.</summary>
    public bool IsConnected => _tracker.IsConnected;

    /// <summary>Gets a task that completes when every server is connected.</summary>
    public Task WhenConnected => _tracker.WhenConnected;

    /// <summary>Connects (once; later calls wait for the same attempt).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _starting ??= StartCoreAsync();
        }

        return _starting.WaitAsync(cancellationToken);
    }

    /// <summary>Waits for the first connect attempt to have ended (starting it if nothing has): at once afterwards.</summary>
    public ValueTask WhenStartedAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _starting) is { IsCompletedSuccessfully: true } ? default : new(StartAsync(cancellationToken));

    /// <summary>Calls <paramref name="observer"/> with each server's multiplexer: at once for those made, later for the others.</summary>
    public void ObserveConnections(Action<IConnectionMultiplexer> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_lock)
        {
            if (!_connected)
            {
                _observers.Add(observer);
                return;
            }
        }

        foreach (var server in Servers)
        {
            observer(server.Multiplexer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StartCoreAsync()
    {
        await RedisServerConnection.ConnectAllAsync(Servers, _abortOnConnectFail, CancellationToken.None).ConfigureAwait(false);

        // The state at the first connect is not a change; only what happens from now on is reported.
        _tracker.Resync();
        await _afterConnect().ConfigureAwait(false);
        List<Action<IConnectionMultiplexer>> observers;
        lock (_lock)
        {
            _connected = true;
            observers = [.. _observers];
            _observers.Clear();
        }

        foreach (var observer in observers)
        {
            ObserveConnections(observer);
        }
    }
}
