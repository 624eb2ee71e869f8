namespace Switchyard;

/// <summary>What a consumer's mailbox does with a new message when it already holds <see cref="ConsumerOptions.MailboxCapacity"/> messages.</summary>
/// <remarks>Every message a policy drops is counted (<c>switchyard.consumer.mailbox.dropped</c>) and logged.</remarks>
public enum MailboxFullMode
{
    /// <summary>
    /// The sender waits for room (backpressure). For messages from the channel layer this stops the consumer from
    /// taking more off its channel, so the channel fills up and senders get <see cref="ChannelFullException"/>:
    /// an explicit error at the sender rather than memory growth here. The default.
    /// </summary>
    Wait,

    /// <summary>The new message is dropped.</summary>
    DropIncoming,

    /// <summary>The oldest waiting message is dropped to make room for the new one.</summary>
    DropOldest,

    /// <summary>The new message is dropped and the consumer stops with <see cref="ConsumerStopReason.MailboxFull"/>.</summary>
    StopConsumer,
}
