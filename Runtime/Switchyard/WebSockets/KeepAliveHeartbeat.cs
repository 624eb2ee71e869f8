namespace Switchyard.WebSockets;

/// <summary>
/// One timer for the keep-alive checks of every connection on the system clock with the same tick (Kestrel's
/// heartbeat idea): connections join an intrusive list, so an idle connection costs two references instead of a
/// timer of its own. Connections on another <see cref="TimeProvider"/> (tests' manual clocks) keep their own timers.
/// </summary>
internal sealed class KeepAliveHeartbeat
{
    private static readonly Lock Registry = new();
    private static readonly Dictionary<TimeSpan, KeepAliveHeartbeat> ByTick = [];

    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private WebSocketConnection? _head;

    private KeepAliveHeartbeat(TimeSpan tick) =>
        _timer = new Timer(static s => ((KeepAliveHeartbeat)s!).Tick(), this, tick, tick);

    public static KeepAliveHeartbeat For(TimeSpan tick)
    {
        lock (Registry)
        {
            if (!ByTick.TryGetValue(tick, out var heartbeat))
            {
                heartbeat = new KeepAliveHeartbeat(tick);
                ByTick.Add(tick, heartbeat);
            }

            return heartbeat;
        }
    }

    public void Add(WebSocketConnection connection)
    {
        lock (_lock)
        {
            connection.HeartbeatNext = _head;
            connection.HeartbeatPrevious = null;
            if (_head is not null)
            {
                _head.HeartbeatPrevious = connection;
            }

            _head = connection;
            connection.InHeartbeat = true;
        }
    }

    public void Remove(WebSocketConnection connection)
    {
        lock (_lock)
        {
            if (!connection.InHeartbeat)
            {
                return;
            }

            if (connection.HeartbeatPrevious is { } previous)
            {
                previous.HeartbeatNext = connection.HeartbeatNext;
            }
            else
            {
                _head = connection.HeartbeatNext;
            }

            if (connection.HeartbeatNext is { } next)
            {
                next.HeartbeatPrevious = connection.HeartbeatPrevious;
            }

            connection.HeartbeatNext = null;
            connection.HeartbeatPrevious = null;
            connection.InHeartbeat = false;
        }
    }

    private void Tick()
    {
        lock (_lock)
        {
            for (var connection = _head; connection is not null; connection = connection.HeartbeatNext)
            {
                connection.OnKeepAliveTick();
            }
        }
    }
}
