namespace Switchyard;

/// <summary>
/// Thrown by a <see cref="JsonWebSocketConsumer"/>'s <see cref="FromClientAttribute"/> handler to refuse a client's
/// request: the client gets <c>{"type":"switchyard.error","$re":id,"error":message}</c> (docs/protocol.md), and the
/// connection stays open. Any other exception from a handler stops the consumer (close 1011).
/// </summary>
/// <remarks>The message goes to the client as written: say what a person can act on, never internal details.</remarks>
public sealed class RequestFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RequestFailedException()
        : this("the request was refused")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What the client is told.</param>
    public RequestFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What the client is told.</param>
    /// <param name="innerException">The cause, kept on the server.</param>
    public RequestFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
