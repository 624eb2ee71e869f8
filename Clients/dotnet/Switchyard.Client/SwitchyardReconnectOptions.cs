namespace Switchyard.Client;

/// <summary>
/// How a <see cref="SwitchyardClient"/> reconnects: exponential backoff with full jitter. Attempt <c>n</c> (from 0)
/// waits a random time between zero and <c>min(MaxDelay, InitialDelay × Factor^n)</c>.
/// </summary>
public sealed class SwitchyardReconnectOptions
{
    /// <summary>Gets or sets whether the client reconnects at all. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the cap of the first attempt's delay. Default 0.5 s.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the largest cap of a delay. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets what each failed attempt multiplies the cap by. Default 2.</summary>
    public double Factor { get; set; } = 2;

    /// <summary>
    /// Gets or sets how many connection attempts in a row may fail before the client gives up and closes with the last
    /// error; <see langword="null"/> (the default) never gives up. It counts the first connect's attempts too.
    /// </summary>
    public int? MaxAttempts { get; set; }

    /// <summary>Gets or sets how long a connection must stay open for the backoff to start again from <see cref="InitialDelay"/>. Default 5 s.</summary>
    public TimeSpan ResetAfter { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (InitialDelay < TimeSpan.Zero || MaxDelay < TimeSpan.Zero || ResetAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialDelay), "Reconnect delays cannot be negative.");
        }

        if (!(Factor >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Factor), Factor, "The reconnect factor must be 1 or more.");
        }

        if (MaxAttempts is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be 1 or more, or null for no limit.");
        }
    }
}
