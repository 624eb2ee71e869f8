namespace Switchyard;

/// <summary>How a <see cref="ConsumerRunner"/> runs one consumer instance.</summary>
public sealed class ConsumerOptions
{
    /// <summary>
    /// Gets or sets how long the handler in flight may run after shutdown begins before it is cancelled; the same
    /// bound applies to leaving groups and the stop hook. Default 10 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ConsumerOptions)}.{nameof(DrainTimeout)} must not be negative, not {DrainTimeout}.");
        }
    }
}
