namespace Switchyard;

/// <summary>
/// Thrown by every operation on a channel layer after it was closed or disposed, and by receives that were
/// still waiting when it closed.
/// </summary>
public sealed class ChannelLayerClosedException : ChannelLayerException
{
    /// <summary>Creates the exception.</summary>
    public ChannelLayerClosedException()
        : base("The channel layer is closed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ChannelLayerClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelLayerClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static ChannelLayerClosedException For(string layerName, string operation) =>
        new($"Cannot {operation}: the {layerName} channel layer is closed.");
}
