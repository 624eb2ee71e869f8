namespace Switchyard;

/// <summary>
/// What a <see cref="WebSocketConsumer"/> asks of the connection that runs it: the accept decision, sends and the
/// close. The connection engine (Switchyard.Server) implements it; the core knows no framing, no socket and no host.
/// </summary>
internal interface IWebSocketConnection
{
    /// <summary>Gets the subprotocol the consumer accepted, once it has.</summary>
    string? Subprotocol { get; }

    /// <summary>Accepts the handshake with one of the offered subprotocols, or none.</summary>
    void Accept(string? subprotocol);

    /// <summary>Refuses the handshake with an HTTP status (4xx or 5xx).</summary>
    void Reject(int statusCode);

    /// <summary>Queues a message; <paramref name="rented"/> (the pooled array behind the payload) goes back to the pool once it is written.</summary>
    void Send(bool text, ReadOnlyMemory<byte> payload, byte[]? rented);

    /// <summary>Queues a copy of a message.</summary>
    void SendCopy(bool text, ReadOnlySpan<byte> payload);

    /// <summary>Closes with a code and reason (refuses the handshake when it was not accepted yet).</summary>
    void Close(int code, string? reason);

    /// <summary>Closes for what the client sent, with one log line.</summary>
    void CloseForBadInput(int code, string reason, string? detail = null);

    /// <summary>Logs an answer (<c>$re</c>) no call waits for.</summary>
    void AnswerDropped(long id);
}
