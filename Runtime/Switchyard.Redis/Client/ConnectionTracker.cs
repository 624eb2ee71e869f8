namespace Switchyard.Redis.Client;

/// <summary>
/// Whether a set of clients (a layer's command connections) are all connected, and each change of that: reported once
/// per change, in order, however the clients' own losses and reconnects interleave. The state is read from the clients
/// themselves, so a loss or a reconnect that happened before the tracker listened is not miscounted.
/// </summary>
internal sealed class ConnectionTracker
{
    private readonly RedisClient[] _clients;
    private readonly Action<bool, Exception?> _changed;
    private readonly Lock _lock = new();
    private bool _reported;

    /// <summary>Listens to <paramref name="clients"/>; <paramref name="changed"/> is called (under a lock, in order) with the new state and, when lost, why.</summary>
    public ConnectionTracker(RedisClient[] clients, Action<bool, Exception?> changed)
    {
        _clients = clients;
        _changed = changed;
        foreach (var client in clients)
        {
            client.Disconnected += Update;
            client.Reconnected += () => Update(null);
        }

        lock (_lock)
        {
            _reported = IsConnected;
        }
    }

    /// <summary>Gets a value indicating whether every client is connected now.</summary>
    public bool IsConnected => _clients.All(c => c.IsConnected);

    private void Update(Exception? error)
    {
        lock (_lock)
        {
            var connected = IsConnected;
            if (connected == _reported)
            {
                return;
            }

            _reported = connected;
            _changed(connected, connected ? null : error ?? _clients.Select(c => c.LastError).FirstOrDefault(e => e is not null));
        }
    }
}
