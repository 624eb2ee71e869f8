namespace Switchyard.Client;

/// <summary>What a close code means for a client (docs/protocol.md, "Close codes").</summary>
public enum SwitchyardCloseKind
{
    /// <summary>A code this table does not name; the client does not reconnect.</summary>
    Other,

    /// <summary>1000: the server closed normally. No reconnect.</summary>
    Normal,

    /// <summary>1001: the server is shutting down. Reconnects.</summary>
    GoingAway,

    /// <summary>1002: the WebSocket protocol was broken. No reconnect.</summary>
    ProtocolError,

    /// <summary>1003: a binary frame, or a <c>type</c> no <c>[FromClient]</c> handler takes. No reconnect.</summary>
    UnsupportedData,

    /// <summary>1005: a close frame without a code. Reconnects.</summary>
    NoStatus,

    /// <summary>1006: the connection dropped without a close frame. Reconnects.</summary>
    ConnectionLost,

    /// <summary>1007: malformed JSON, no <c>type</c>, an invalid message, a bad <c>$id</c>/<c>$re</c>. No reconnect.</summary>
    InvalidPayload,

    /// <summary>1008: policy (a slow client, the user disconnected, a message too slow to arrive). No reconnect.</summary>
    PolicyViolation,

    /// <summary>1009: a message larger than the other side takes. No reconnect.</summary>
    MessageTooBig,

    /// <summary>1011: the consumer failed or its channel layer closed. Reconnects.</summary>
    ServerError,

    /// <summary>1012: the server restarts. Reconnects.</summary>
    ServiceRestart,

    /// <summary>1013: try again later. Reconnects.</summary>
    TryAgainLater,

    /// <summary>1014: a gateway got a bad answer from the server behind it. Reconnects.</summary>
    BadGateway,

    /// <summary>The connection could not be opened: no server listening, a refused handshake (HTTP 4xx/5xx), a timeout. Reconnects.</summary>
    ConnectFailed,
}
