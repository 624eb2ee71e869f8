namespace Switchyard.AspNetCore;

/// <summary>Counts open WebSocket connections against <see cref="SwitchyardServerOptions.MaxConnections"/>.</summary>
internal sealed class ConnectionLimiter(int limit)
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _open) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _open);
}
