namespace Switchyard;

/// <summary>
/// The forwarding path, decided at compile time: the generator implements this on a WebSocket consumer whose
/// handler for a message type does nothing but send the message to its client — the JSON of the whole message
/// (<c>Handle(T m, ct) => SendAsync(m, ct)</c> in a <see cref="JsonWebSocketConsumer"/>) or one field of it
/// (<c>=> SendTextAsync(m.Text, ct)</c>, <c>=> SendBytesAsync(m.Data, ct)</c>). The consumer's connection attaches
/// itself to the channel layer as an <see cref="IChannelForwarder"/>; a delivery of such a message in this process
/// then writes the frame, made once per message and shared by every member of a group in the process, straight to
/// the connection's send queue without waking the consumer. The build reports which handlers take this path and
/// why a handler does not (diagnostic SWY0014).
/// </summary>
/// <remarks>
/// Every message of a forwarded type takes the forwarding path, so those messages keep their order; relative to
/// messages of other types (which go through the consumer's handlers) they may overtake, as in Phoenix.
/// </remarks>
public interface IForwardingConsumer
{
    /// <summary>Returns the frame to send for <paramref name="message"/> when this consumer only forwards its type.</summary>
    /// <param name="message">A message delivered to the consumer's channel.</param>
    /// <param name="frame">The frame to send (see <see cref="ChannelMessage.GetFrame"/>).</param>
    /// <returns><see langword="false"/> when the type takes the normal path through a handler.</returns>
    bool TryGetFrame(ChannelMessage message, out ForwardedFrame frame);
}

/// <summary>A WebSocket frame the forwarding path sends for a message: its bytes and whether it is text or binary.</summary>
/// <param name="Payload">The frame's payload; shared, never changed.</param>
/// <param name="IsText">Whether it is a text frame (UTF-8) rather than a binary one.</param>
public readonly record struct ForwardedFrame(ReadOnlyMemory<byte> Payload, bool IsText);
