namespace Switchyard.Redis.Connections;

/// <summary>
/// Whether every one of a layer's servers is connected, and each change of that: reported once per change, in order,
/// however the servers' own losses and reconnects interleave. A server's loss is reported even when that server is back
/// by the time its report runs (see <see cref="ReportedConnection"/>).
/// </summary>
internal sealed class ConnectionTracker
{
    private readonly IReadOnlyList<RedisServerConnection> _servers;
    private readonly Action<bool, Exception?> _changed;
    private readonly Lock _lock = new();
    private readonly ReportedConnection _state;

    /// <summary>Listens to <paramref name="servers"/>; <paramref name="changed"/> is called (under a lock, in order) with the new state and, when lost, why.</summary>
    public ConnectionTracker(IReadOnlyList<RedisServerConnection> servers, Action<bool, Exception?> changed)
    {
        _servers = servers;
        _changed = changed;
        _state = new ReportedConnection(IsConnected);
        foreach (var server in servers)
        {
            server.ConnectionChanged += Update;
        }
    }

    /// <summary>Gets a value indicating whether every server is connected now.</summary>
    public bool IsConnected => _servers.All(s => s.IsConnected);

    /// <summary>Gets a task that completes when every server is connected.</summary>
    public Task WhenConnected => Task.WhenAll(_servers.Select(s => s.WhenConnected));

    /// <summary>Takes the present state as known, without reporting it (after the first connect, which is not a change).</summary>
    public void Resync()
    {
        lock (_lock)
        {
            _state.Observed(IsConnected);
        }
    }

    private void Update(bool serverConnected, Exception? error)
    {
        lock (_lock)
        {
            var changes = serverConnected ? _state.Observed(IsConnected) : _state.Lost(IsConnected);
            if ((changes & ConnectionChanges.Lost) != 0)
            {
                _changed(false, error ?? _servers.Select(s => s.LastError).FirstOrDefault(e => e is not null));
            }

            if ((changes & ConnectionChanges.Back) != 0)
            {
                _changed(true, null);
            }
        }
    }
}
