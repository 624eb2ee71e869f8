namespace Switchyard;

/// <summary>
/// A call to a WebSocket client (<see cref="JsonWebSocketConsumer.InvokeClientAsync{TQuestion, TAnswer}"/>) did not get
/// the answer it waited for: the client refused it (<c>switchyard.error</c>: <see cref="Exception.Message"/> is its
/// text), answered with something else, or the connection closed first. A call that was not answered in time throws
/// <see cref="TimeoutException"/> instead.
/// </summary>
public sealed class ClientCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClientCallException()
        : this("the client did not answer the call")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public ClientCallException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ClientCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets whether the client itself refused the call (it answered <c>switchyard.error</c>).</summary>
    public bool RefusedByClient { get; init; }
}
