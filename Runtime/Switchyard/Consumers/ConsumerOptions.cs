namespace Switchyard;

/// <summary>How a <see cref="ConsumerRunner"/> runs one consumer instance.</summary>
public sealed class ConsumerOptions
{
    /// <summary>
    /// Gets or sets how many messages wait in the consumer's mailbox while a handler runs. Default 64. Zero means no
    /// mailbox: the consumer takes each message off its channel once the previous one is handled (Django Channels'
    /// way; the channel's capacity is then the only buffer), and <see cref="ConsumerRunner.PostAsync"/> handles the
    /// posted message at once. Server connections and workers run without one.
    /// </summary>
    public int MailboxCapacity { get; set; } = 64;

    /// <summary>Gets or sets what happens to a message that finds the mailbox full. Default <see cref="MailboxFullMode.Wait"/>.</summary>
    public MailboxFullMode MailboxFullMode { get; set; } = MailboxFullMode.Wait;

    /// <summary>
    /// Gets or sets how long a consumer may keep handling the messages already in its mailbox after shutdown
    /// begins, before its handlers are cancelled. Default 10 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (MailboxCapacity < 0)
        {
            throw new ArgumentException($"{nameof(ConsumerOptions)}.{nameof(MailboxCapacity)} must be 0 (no mailbox) or more, not {MailboxCapacity}.");
        }

        if (!Enum.IsDefined(MailboxFullMode))
        {
            throw new ArgumentException($"{nameof(ConsumerOptions)}.{nameof(MailboxFullMode)} has no value {(int)MailboxFullMode}.");
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ConsumerOptions)}.{nameof(DrainTimeout)} must not be negative, not {DrainTimeout}.");
        }
    }
}
