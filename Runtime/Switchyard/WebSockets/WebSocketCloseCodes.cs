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

    /// <summary>1009: a message larger than the server's <c>MaxMessageSize</c>.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>1011: the consumer failed (a handler threw) or the channel layer went away.</summary>
    public const int InternalError = 1011;

    /// <summary>1013: a temporary condition (such as the channel layer being away); the client should reconnect later (RFC 6455 registry, IANA).</summary>
    public const int TryAgainLater = 1013;

    /// <summary>
    /// Whether a close frame may carry <paramref name="code"/> (RFC 6455 §7.4.1, IANA registry): 1000–1003, 1007–1014
    /// or 3000–4999; never the reserved 1004–1006 and 1015. The same rule holds for what a peer sends and what an
    /// application closes with.
    /// </summary>
    internal static bool MaySend(int code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };
}
