namespace Switchyard.Client;

/// <summary>Where a <see cref="SwitchyardClient"/> stands; <see cref="SwitchyardClient.StateChanged"/> reports each change.</summary>
public enum SwitchyardClientState
{
    /// <summary>Created; <see cref="SwitchyardClient.ConnectAsync"/> has not been called. Sends are queued.</summary>
    Created,

    /// <summary>The first connection is being opened (with retries, per <see cref="SwitchyardClientOptions.Reconnect"/>). Sends are queued.</summary>
    Connecting,

    /// <summary>Connected: frames flow both ways.</summary>
    Open,

    /// <summary>The connection was lost with a close code that allows it; the client waits its backoff and reconnects. Sends are queued.</summary>
    Reconnecting,

    /// <summary>Closed for good: by <see cref="SwitchyardClient.CloseAsync"/>, a close code that forbids reconnecting, or too many failed attempts.</summary>
    Closed,
}
