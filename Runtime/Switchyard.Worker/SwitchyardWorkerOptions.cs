namespace Switchyard.Worker;

/// <summary>Which named channels a worker serves and how (Channels' <c>runworker channel ...</c>).</summary>
public sealed class SwitchyardWorkerOptions
{
    /// <summary>Gets the channels to serve; empty (the default) serves every <c>[ChannelConsumer]</c> in the route table.</summary>
    public IList<string> Channels { get; } = [];

    /// <summary>Gets or sets how many consumer instances run per channel; each handles one message at a time. Default 1.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>Gets or sets how long in-flight messages may take to finish when the worker stops, before they are cancelled. Default 25 s (inside the host's 30 s shutdown timeout).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (Concurrency < 1)
        {
            throw new ArgumentException($"{nameof(SwitchyardWorkerOptions)}.{nameof(Concurrency)} must be at least 1, not {Concurrency}.");
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(SwitchyardWorkerOptions)}.{nameof(DrainTimeout)} must not be negative, not {DrainTimeout}.");
        }

        foreach (var channel in Channels)
        {
            ChannelNames.ValidateChannelName(channel);
        }
    }
}
