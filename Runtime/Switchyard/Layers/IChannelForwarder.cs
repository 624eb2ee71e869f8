namespace Switchyard;

/// <summary>
/// The forwarding path: something in this process (a WebSocket connection) that takes messages for one channel straight
/// from the channel layer and forwards them to its client, without waking the channel's consumer. Attach one with
/// <see cref="ChannelLayer.AttachForwarder"/>; every layer offers it to the forwarders of channels it delivers in this
/// process (the in-memory layer on every send, the Redis layers as their process inbox or subscription delivers).
/// </summary>
/// <remarks>
/// <para>A forwarder decides per message (<see cref="ForwardOutcome.NotForwarded"/> leaves the message to the normal
/// path: the channel and the consumer's handler). A group send hands the same <see cref="ChannelMessage"/> instance to
/// every forwarder of this process, so a frame made from it (<see cref="ChannelMessage.GetFrame"/>) is encoded once.</para>
/// <para>Back-pressure: a forwarder whose buffer is full answers <see cref="ForwardOutcome.Full"/> while the layer may
/// still wait; the layer then waits for room (<see cref="WaitForRoomAsync"/>) up to
/// <see cref="ChannelLayerOptions.FullMemberTimeout"/> and forwards again without waiting, and the forwarder applies its
/// own policy to a message it still cannot take (a WebSocket connection: its slow-client mode).</para>
/// <para><see cref="Forward"/> runs on the sender's thread (a group send, the Redis inbox loop): it must not block.</para>
/// </remarks>
public interface IChannelForwarder
{
    /// <summary>Forwards <paramref name="message"/> if it is of a forwarded type.</summary>
    /// <param name="message">A message sent to the forwarder's channel.</param>
    /// <param name="mayWait">
    /// <see langword="true"/> when the sender can wait for room: a full buffer answers <see cref="ForwardOutcome.Full"/>
    /// and changes nothing. <see langword="false"/> when it cannot: the forwarder takes the message or drops it.
    /// </param>
    /// <returns>What happened to the message.</returns>
    ForwardOutcome Forward(ChannelMessage message, bool mayWait);

    /// <summary>Completes when the forwarder has room again, or is closed (the next <see cref="Forward"/> says which).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when there is room.</returns>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken);
}

/// <summary>What an <see cref="IChannelForwarder"/> did with a message.</summary>
public enum ForwardOutcome
{
    /// <summary>Not a forwarded type: the message takes the normal path (the channel, then a handler).</summary>
    NotForwarded,

    /// <summary>Forwarded: the message is on its way to the client.</summary>
    Forwarded,

    /// <summary>The forwarder's buffer is full and nothing was done; the sender may wait for room and try again.</summary>
    Full,

    /// <summary>The forwarder could not take it (closed, or its client too slow) and dropped it, counted and logged.</summary>
    Dropped,
}
