using System.Diagnostics;
using System.Net.WebSockets;

namespace Switchyard.Client.Internal;

/// <summary>One opened WebSocket of a client and its receive loop; a reconnect makes a new one.</summary>
internal sealed class ClientConnection(ClientWebSocket socket)
{
    private readonly CancellationTokenSource _aborted = new();
    private readonly long _openedAt = Stopwatch.GetTimestamp();

    public ClientWebSocket Socket => socket;

    /// <summary>Gets the token that aborts the socket's sends and receives.</summary>
    public CancellationToken Token => _aborted.Token;

    /// <summary>Gets or sets the receive loop; it completes with why the connection ended.</summary>
    public Task<SwitchyardClosedException>? Receiving { get; set; }

    /// <summary>Gets how long the connection has been open.</summary>
    public TimeSpan OpenFor => Stopwatch.GetElapsedTime(_openedAt);

    /// <summary>Gets whether frames can still be sent on it.</summary>
    public bool IsOpen => socket.State == WebSocketState.Open && !_aborted.IsCancellationRequested;

    /// <summary>Drops the connection at once (no close handshake).</summary>
    public void Abort()
    {
        _aborted.Cancel();
        socket.Abort();
    }

    public void Dispose() => socket.Dispose();
}
