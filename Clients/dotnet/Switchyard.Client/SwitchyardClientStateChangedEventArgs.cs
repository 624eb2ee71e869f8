namespace Switchyard.Client;

/// <summary>A change of <see cref="SwitchyardClient.State"/>.</summary>
public sealed class SwitchyardClientStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the event's arguments.</summary>
    /// <param name="state">The new state.</param>
    /// <param name="error">Why the connection ended, for <see cref="SwitchyardClientState.Reconnecting"/> and <see cref="SwitchyardClientState.Closed"/>.</param>
    public SwitchyardClientStateChangedEventArgs(SwitchyardClientState state, SwitchyardClientException? error)
    {
        State = state;
        Error = error;
    }

    /// <summary>Gets the new state.</summary>
    public SwitchyardClientState State { get; }

    /// <summary>
    /// Gets why the connection ended: a <see cref="SwitchyardClosedException"/> for <see cref="SwitchyardClientState.Reconnecting"/>
    /// and for <see cref="SwitchyardClientState.Closed"/> unless the application closed the client itself (then <see langword="null"/>).
    /// </summary>
    public SwitchyardClientException? Error { get; }
}
