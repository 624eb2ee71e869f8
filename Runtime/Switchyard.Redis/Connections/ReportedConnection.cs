namespace Switchyard.Redis.Connections;

/// <summary>
/// The connected state last reported for a connection (or a set of them), and which changes its events call for.
/// A loss is a fact even when it is seen late: StackExchange.Redis raises its events off its own threads, so the event
/// of a loss may run after the client has already reconnected (a server killed and restarted at once). The data the
/// server held may be gone all the same (a restart without persistence), so the loss is reported, then the return,
/// and the consumers join their groups again; reading the state when the event runs would have hidden both.
/// </summary>
/// <remarks>Not thread-safe: the owner calls it under its lock, in the order the events came.</remarks>
internal sealed class ReportedConnection(bool connected)
{
    /// <summary>Gets the state last reported.</summary>
    public bool IsConnected { get; private set; } = connected;

    /// <summary>A connection was lost; <paramref name="connectedNow"/> is the state as it reads now.</summary>
    /// <returns>What to report, in order: a loss, then a return when the connection is already back.</returns>
    public ConnectionChanges Lost(bool connectedNow)
    {
        if (!IsConnected)
        {
            // Already reported lost: its return will be reported when it reads connected.
            return Observed(connectedNow);
        }

        IsConnected = connectedNow;
        return connectedNow ? ConnectionChanges.Lost | ConnectionChanges.Back : ConnectionChanges.Lost;
    }

    /// <summary>Any other event (a connection restored, one that does not count as the state): report a change of the state as it reads now.</summary>
    /// <returns>What to report.</returns>
    public ConnectionChanges Observed(bool connectedNow)
    {
        if (connectedNow == IsConnected)
        {
            return ConnectionChanges.None;
        }

        IsConnected = connectedNow;
        return connectedNow ? ConnectionChanges.Back : ConnectionChanges.Lost;
    }
}
