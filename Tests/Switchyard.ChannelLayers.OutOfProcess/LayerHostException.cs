namespace Switchyard.ChannelLayers.OutOfProcess;

/// <summary>
/// The layer host failed: it died or stopped answering (the message quotes the end of its standard error), it could not
/// start, or its layer failed with an exception this side has no equivalent for.
/// </summary>
public sealed class LayerHostException : ChannelLayerException
{
    /// <summary>Creates the exception.</summary>
    public LayerHostException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    public LayerHostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">Why.</param>
    public LayerHostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
