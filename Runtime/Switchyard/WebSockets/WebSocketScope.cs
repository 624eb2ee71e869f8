namespace Switchyard;

/// <summary>What a WebSocket consumer knows of its connection (the ASGI <c>websocket</c> scope).</summary>
public class WebSocketScope : ClientScope
{
    /// <summary>Creates a scope.</summary>
    /// <param name="channelName">The connection's own channel: group sends and direct sends to it reach the consumer.</param>
    /// <exception cref="ArgumentException"><paramref name="channelName"/> is not a valid channel name.</exception>
    public WebSocketScope(string channelName)
        : base(channelName)
    {
    }

    /// <summary>Gets the subprotocols the client offered, in its order of preference.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];
}
