using Switchyard.Internal;

namespace Switchyard.Server;

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
    private readonly IntrusiveList<WebSocketConnection> _connections = new();

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
            _connections.Add(connection);
        }
    }

    public void Remove(WebSocketConnection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    private void Tick()
    {
        lock (_lock)
        {
            for (var connection = _connections.Head; connection is not null; connection = ((IIntrusiveListNode<WebSocketConnection>)connection).Next)
            {
                connection.OnKeepAliveTick();
            }
        }
    }
}
