namespace Switchyard.Client;

/// <summary>
/// The other side refused a request: the server answered <c>switchyard.error</c> (its handler threw
/// <c>RequestFailedException</c>). The message is the server's text for people. Throw it from a
/// <see cref="SwitchyardClient.Handle{TQuestion, TAnswer}"/> handler to answer a server call with that text.
/// </summary>
public sealed class SwitchyardRequestFailedException : SwitchyardClientException
{
    /// <summary>Creates the exception.</summary>
    public SwitchyardRequestFailedException()
        : base("The request failed.")
    {
    }

    /// <summary>Creates the exception with the other side's text.</summary>
    /// <param name="message">Why the request was refused, for people.</param>
    public SwitchyardRequestFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">Why the request was refused, for people.</param>
    /// <param name="innerException">The cause.</param>
    public SwitchyardRequestFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
