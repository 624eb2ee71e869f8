namespace Switchyard.Ipc;

/// <summary>The IPC layer's shared segment refused an operation: it is full, or it was made with another layout.</summary>
public class IpcLayerException : ChannelLayerException
{
    /// <summary>Creates the exception.</summary>
    public IpcLayerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public IpcLayerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public IpcLayerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
