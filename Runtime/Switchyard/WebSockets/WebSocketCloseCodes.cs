namespace Switchyard;

/// <summary>
/// The WebSocket close codes Switchyard sends and reports (RFC 6455 §7.4). An application may close with these or
/// with its own codes in 4000–4999.
/// </summary>
public static class WebSocketCloseCodes
{
    /// <summary>1000: the purpose of the connection was fulfilled.</summary>
    public const int NormalClosure = 1000;

    /// <summary>1001: the server is shutting down, or the client went away (navigated off the page).</summary>
    public const int GoingAway = 1001;

    /// <summary>1002: the peer broke the WebSocket protocol (unmasked frame, reserved bits, bad fragmentation).</summary>
    public const int ProtocolError = 1002;

    /// <summary>1003: a kind of data the consumer does not accept: a binary frame on a text-only consumer, or an unknown message type.</summary>
    public const int UnsupportedData = 1003;

    /// <summary>1005: reported (never sent) when the peer's close frame had no code.</summary>
    public const int NoStatusReceived = 1005;

    /// <summary>1006: reported (never sent) when the connection dropped without a close frame.</summary>
    public const int AbnormalClosure = 1006;

    /// <summary>1007: a text frame that is not valid UTF-8, or a JSON frame that is malformed or not a valid message.</summary>
    public const int InvalidPayloadData = 1007;

    /// <summary>1008: a policy was violated; Switchyard sends it to a client too slow to keep up (its outbound queue is full).</summary>
    public const int PolicyViolation = 1008;

    /// <summary>1009: a message larger than <see cref="SwitchyardWebSocketOptions.MaxMessageSize"/>.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>1011: the consumer failed (a handler threw) or the channel layer went away.</summary>
    public const int InternalError = 1011;

    /// <summary>1013: a temporary condition (such as the channel layer being away); the client should reconnect later (RFC 6455 registry, IANA).</summary>
    public const int TryAgainLater = 1013;
}
