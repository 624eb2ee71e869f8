namespace Switchyard.Server;

/// <summary>How the connect step of a WebSocket consumer ended: accepted (with a subprotocol or none) or refused with an HTTP status.</summary>
public readonly record struct WebSocketConnectResult
{
    private WebSocketConnectResult(bool accepted, string? subprotocol, int statusCode, string reason)
    {
        IsAccepted = accepted;
        Subprotocol = subprotocol;
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>Gets whether the consumer accepted the connection.</summary>
    public bool IsAccepted { get; }

    /// <summary>Gets the subprotocol the consumer chose, if any.</summary>
    public string? Subprotocol { get; }

    /// <summary>Gets the HTTP status to answer with when the connection was refused (101 when accepted).</summary>
    public int StatusCode { get; }

    /// <summary>Gets why the connection was refused, for the log.</summary>
    public string Reason { get; }

    internal static WebSocketConnectResult Accept(string? subprotocol) => new(true, subprotocol, 101, "accepted");

    internal static WebSocketConnectResult Reject(int statusCode, string reason) => new(false, null, statusCode, reason);
}
