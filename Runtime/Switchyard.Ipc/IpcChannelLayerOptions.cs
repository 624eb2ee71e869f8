namespace Switchyard.Ipc;

/// <summary>Where the IPC channel layer keeps its shared segment, on top of the common layer options.</summary>
public sealed class IpcChannelLayerOptions
{
    /// <summary>The default <see cref="SegmentSize"/>: 64 MiB (a sparse file in memory: only what is used takes memory).</summary>
    public const long DefaultSegmentSize = 64L << 20;

    /// <summary>
    /// Gets or sets the namespace: processes with the same name (and <see cref="Directory"/>) share channels and groups;
    /// two applications on one machine use two names. Letters, digits, <c>-</c>, <c>_</c> and <c>.</c>. Default <c>switchyard</c>.
    /// </summary>
    public string Name { get; set; } = "switchyard";

    /// <summary>
    /// Gets or sets the directory of the segment and its lock and doorbell files, made user-only (0700) if it does not
    /// exist. Default: <c>$XDG_RUNTIME_DIR/switchyard</c>, or <c>/dev/shm/switchyard-{uid}</c> without it (both in memory).
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Gets or sets the shared segment's size in bytes, fixed by the first process of the namespace (later ones use the
    /// segment as it was made). Messages waiting to be received, channels and memberships live in it. Default 64 MiB.
    /// </summary>
    public long SegmentSize { get; set; } = DefaultSegmentSize;

    /// <summary>Gets or sets how many channels and groups can exist at once (rounded up to a power of two; fixed with the segment). Default 65,536.</summary>
    public int MaxNames { get; set; } = 65_536;

    /// <summary>
    /// Gets or sets how often each process sweeps the segment: messages that expired unread, memberships past the group
    /// expiry, and what processes that died left (their process-local channels and memberships). Default 1 s.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets capacity, expiry, group expiry and message size, shared with every layer.</summary>
    public ChannelLayerOptions Layer { get; } = new();

    /// <summary>The directory used when <see cref="Directory"/> is not set.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string DefaultDirectory()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return !string.IsNullOrEmpty(runtime) && System.IO.Directory.Exists(runtime)
            ? Path.Combine(runtime, "switchyard")
            : Path.Combine(System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"switchyard-{Native.LibC.GetEffectiveUserId()}");
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Name) || Name.Length > 64 || !Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"IpcChannelLayerOptions.Name '{Name}' must be 1 to 64 letters, digits, '-', '_' or '.'.", nameof(Name));
        }

        if (SegmentSize < 4L << 20)
        {
            throw new ArgumentException($"IpcChannelLayerOptions.SegmentSize must be at least 4 MiB (it is {SegmentSize} bytes).", nameof(SegmentSize));
        }

        if (MaxNames is < 64 or > 1 << 24)
        {
            throw new ArgumentException($"IpcChannelLayerOptions.MaxNames must be between 64 and 16,777,216 (it is {MaxNames}).", nameof(MaxNames));
        }

        if (SweepInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("IpcChannelLayerOptions.SweepInterval must be positive.", nameof(SweepInterval));
        }

        Layer.Validate();
    }
}
