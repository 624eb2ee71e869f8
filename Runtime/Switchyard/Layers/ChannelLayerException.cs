namespace Switchyard;

/// <summary>The base of the exceptions a channel layer throws for conditions specific to channel layers.</summary>
public class ChannelLayerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChannelLayerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ChannelLayerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelLayerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
