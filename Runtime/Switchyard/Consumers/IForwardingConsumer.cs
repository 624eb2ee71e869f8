namespace Switchyard;

/// <summary>
/// The fast lane (Phoenix's idea, decided at compile time): the generator implements this on a JSON WebSocket
/// consumer whose handler for a message type does nothing but send the message to its client
/// (<c>Handle(T m, ct) => SendAsync(m, ct)</c>). A channel-layer delivery of such a message in the same process then
/// writes the message's JSON frame, encoded once per envelope and shared by every member of a group, straight to the
/// connection's send queue, without waking the consumer.
/// </summary>
/// <remarks>
/// Every message of a forwarded type takes the fast lane, so those messages keep their order; relative to messages of
/// other types (which go through the consumer's handlers) they may overtake, as in Phoenix.
/// </remarks>
public interface IForwardingConsumer
{
    /// <summary>Returns the JSON frame to send for <paramref name="message"/> when this consumer only forwards its type.</summary>
    /// <param name="message">A message delivered to the consumer's channel.</param>
    /// <param name="frame">The frame (see <see cref="ChannelMessage.GetJsonFrame{T}"/>).</param>
    /// <returns><see langword="false"/> when the type takes the normal path through a handler.</returns>
    bool TryForward(ChannelMessage message, out ReadOnlyMemory<byte> frame);
}
