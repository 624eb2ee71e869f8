namespace Switchyard;

/// <summary>A channel layer lost its connection to its backend, or has it back (see <see cref="ChannelLayer.ConnectionChanged"/>).</summary>
public sealed class ChannelLayerConnectionEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="isConnected">Whether the layer is connected now.</param>
    /// <param name="error">Why the connection was lost; <see langword="null"/> when it is back.</param>
    public ChannelLayerConnectionEventArgs(bool isConnected, Exception? error)
    {
        IsConnected = isConnected;
        Error = error;
    }

    /// <summary>Gets a value indicating whether the layer is connected now.</summary>
    public bool IsConnected { get; }

    /// <summary>Gets why the connection was lost; <see langword="null"/> when it is back.</summary>
    public Exception? Error { get; }
}
