namespace Switchyard;

/// <summary>Thrown when a message's payload is larger than <see cref="ChannelLayerOptions.MaxMessageSize"/>. Nothing was sent.</summary>
public sealed class MessageTooLargeException : ChannelLayerException
{
    /// <summary>Creates the exception.</summary>
    public MessageTooLargeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public MessageTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MessageTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a message of <paramref name="size"/> bytes.</summary>
    /// <param name="messageType">The message's type.</param>
    /// <param name="destination">The channel or group it was sent to.</param>
    /// <param name="size">The payload size in bytes.</param>
    /// <param name="maxSize">The largest allowed payload.</param>
    public MessageTooLargeException(string messageType, string destination, int size, int maxSize)
        : base($"Message '{messageType}' to '{destination}' is {size} bytes, more than the layer's maximum message size of {maxSize} bytes.")
    {
        Size = size;
        MaxSize = maxSize;
    }

    /// <summary>Gets the payload size in bytes.</summary>
    public int Size { get; }

    /// <summary>Gets the largest allowed payload in bytes.</summary>
    public int MaxSize { get; }
}
