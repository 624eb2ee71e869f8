namespace Switchyard;

/// <summary>
/// Thrown by <see cref="ChannelLayer.SendAsync"/> when the channel already holds its capacity of unread messages.
/// The message was not sent. A group send never throws this: it skips, counts and logs full members instead.
/// </summary>
public sealed class ChannelFullException : ChannelLayerException
{
    /// <summary>Creates the exception.</summary>
    public ChannelFullException()
        : base("The channel is full.")
    {
        Channel = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ChannelFullException(string message)
        : base(message)
    {
        Channel = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ChannelFullException(string message, Exception innerException)
        : base(message, innerException)
    {
        Channel = string.Empty;
    }

    /// <summary>Creates the exception for a channel at its capacity.</summary>
    /// <param name="channel">The full channel.</param>
    /// <param name="capacity">Its capacity.</param>
    public ChannelFullException(string channel, int capacity)
        : base($"Channel '{channel}' is full: it already holds its capacity of {capacity} unread message(s). " +
               "Its consumer is not keeping up or has gone; raise the capacity for this channel pattern or slow the sender.")
    {
        Channel = channel;
        Capacity = capacity;
    }

    /// <summary>Gets the full channel's name.</summary>
    public string Channel { get; }

    /// <summary>Gets the channel's capacity.</summary>
    public int Capacity { get; }
}
