namespace Switchyard.Client;

/// <summary>The base of the errors a <see cref="SwitchyardClient"/> reports.</summary>
public class SwitchyardClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SwitchyardClientException()
        : base("The Switchyard client failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SwitchyardClientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SwitchyardClientException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
