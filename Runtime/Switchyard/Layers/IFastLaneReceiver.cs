namespace Switchyard;

/// <summary>A connection that takes some messages for its channel straight from the layer (see <see cref="IForwardingConsumer"/>).</summary>
internal interface IFastLaneReceiver
{
    /// <summary>Takes <paramref name="message"/> if its type is forwarded; returns <see langword="false"/> to leave it to the channel.</summary>
    bool TryDeliver(ChannelMessage message);
}
