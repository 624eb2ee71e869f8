using System.Net;

namespace Switchyard;

/// <summary>What a WebSocket consumer knows of its connection (the ASGI <c>websocket</c> scope).</summary>
public class WebSocketScope : ConsumerScope
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>(0);

    /// <summary>Creates a scope.</summary>
    /// <param name="channelName">The connection's own channel: group sends and direct sends to it reach the consumer.</param>
    /// <exception cref="ArgumentException"><paramref name="channelName"/> is not a valid channel name.</exception>
    public WebSocketScope(string channelName)
        : base(channelName)
    {
    }

    /// <summary>Gets the request path, such as <c>/ws/chat/lobby/</c>.</summary>
    public string Path { get; init; } = "/";

    /// <summary>Gets the query string including its leading <c>?</c>, or an empty string.</summary>
    public string QueryString { get; init; } = string.Empty;

    /// <summary>Gets the request headers (case-insensitive names; repeated headers joined with commas).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>Gets the subprotocols the client offered, in its order of preference.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>Gets the client's address, when known.</summary>
    public IPAddress? RemoteAddress { get; init; }
}
