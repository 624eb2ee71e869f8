namespace Switchyard.Server;

/// <summary>
/// Limits and timers of every WebSocket connection. The defaults protect a server on the open internet; daphne's
/// defaults are kept where it has one (ping every 20 s, give up 30 s later, 5 s to accept).
/// </summary>
public sealed class SwitchyardWebSocketOptions
{
    /// <summary>Gets or sets the largest message a client may send, in bytes, after reassembling fragments. Larger closes with 1009. Default 1 MiB.</summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets how long a connection may be silent before the server pings it. <see cref="Timeout.InfiniteTimeSpan"/> turns pings off. Default 20 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets how long after a ping the client has to send anything (a pong will do) before the connection is dropped. Default 30 s.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long the consumer has to accept or reject a connection; after that it is refused with HTTP 504. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long the server waits for the client to answer its close frame before dropping the connection. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how many messages may wait to be written to one client. When a client reads too slowly to keep up,
    /// <see cref="SlowClientMode"/> decides what happens; other clients are never held up by it. Default 1,024.
    /// </summary>
    public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>Gets or sets what happens when a client's send queue is full. Default <see cref="SlowClientMode.Close"/>.</summary>
    public SlowClientMode SlowClientMode { get; set; } = SlowClientMode.Close;

    /// <summary>
    /// Gets or sets how long a message may wait to be written to one client — queued, or in a write its socket has not
    /// taken — before the client counts as unable to take its messages and <see cref="SlowClientMode"/> applies
    /// (<see cref="SlowClientMode.Close"/>: close 1008; <see cref="SlowClientMode.DropMessage"/>: each message that
    /// waited this long is dropped). A write waits only once the socket's buffers are full (Kestrel's 64 KiB and the kernel's), so
    /// this catches a client that stopped reading long before its queue fills. Checked on the keep-alive tick (half
    /// the shortest of the connection's time limits). <see cref="Timeout.InfiniteTimeSpan"/> turns it off. Default 15 s.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets or sets how long a client has to finish a message it began sending — every fragment, or the rest of a
    /// frame — before the connection is closed with 1008 (a frame trickled a byte at a time). Counted from the read
    /// that brought the message's first byte; checked on the keep-alive tick. <see cref="Timeout.InfiniteTimeSpan"/>
    /// turns it off. Default 30 s.
    /// </summary>
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the most frames one message may arrive in (its first frame and continuation frames). More closes
    /// the connection with 1008: a policy, not a size (a message of empty fragments is not big, so not 1009). Default
    /// 1,024, which lets a client stream a <see cref="MaxMessageSize"/> message in 1 KiB pieces.
    /// </summary>
    public int MaxMessageFragments { get; set; } = 1024;

    /// <summary>Gets or sets the most bytes of queued JSON messages packed into one frame for a client that asked for <see cref="JsonWebSocketConsumer.BatchSubprotocol"/>. Default 16 KiB.</summary>
    public int MaxBatchSize { get; set; } = 16 * 1024;

    /// <summary>
    /// Gets or sets whether the server offers permessage-deflate compression (RFC 7692) to clients that ask for it
    /// (browsers do). It is negotiated without context takeover on either side, so an idle connection keeps no
    /// compression state and a group message is compressed once for all its members in the process. Default
    /// <see langword="false"/>: compression costs CPU for every message, and compressing secrets together with what
    /// an attacker chooses in one message leaks them through its size (CRIME/BREACH) — turn it on for large, repetitive
    /// JSON such as a live blog's posts.
    /// </summary>
    public bool EnableCompression { get; set; }

    /// <summary>
    /// Gets or sets the smallest message, in bytes, sent compressed when <see cref="EnableCompression"/> is on; smaller
    /// messages go out as they are (a few bytes do not shrink). Default 256.
    /// </summary>
    public int CompressionThreshold { get; set; } = 256;

    /// <summary>
    /// Gets or sets whether a group message forwarded to many connections is compressed once and its bytes shared
    /// (the default), rather than compressed for each connection; for the benchmark that compares the two.
    /// </summary>
    internal bool ShareCompressedFrames { get; set; } = true;

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Require(MaxMessageSize >= 1, nameof(MaxMessageSize), "must be at least 1 byte", MaxMessageSize);
        Require(PingInterval == Timeout.InfiniteTimeSpan || PingInterval > TimeSpan.Zero, nameof(PingInterval), "must be positive or Timeout.InfiniteTimeSpan", PingInterval);
        Require(PingTimeout > TimeSpan.Zero, nameof(PingTimeout), "must be positive", PingTimeout);
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive", ConnectTimeout);
        Require(CloseTimeout >= TimeSpan.Zero, nameof(CloseTimeout), "must not be negative", CloseTimeout);
        Require(SendQueueCapacity >= 1, nameof(SendQueueCapacity), "must be at least 1", SendQueueCapacity);
        Require(Enum.IsDefined(SlowClientMode), nameof(SlowClientMode), "is not a defined value", SlowClientMode);
        Require(SendTimeout == Timeout.InfiniteTimeSpan || SendTimeout > TimeSpan.Zero, nameof(SendTimeout), "must be positive or Timeout.InfiniteTimeSpan", SendTimeout);
        Require(MessageTimeout == Timeout.InfiniteTimeSpan || MessageTimeout > TimeSpan.Zero, nameof(MessageTimeout), "must be positive or Timeout.InfiniteTimeSpan", MessageTimeout);
        Require(MaxMessageFragments >= 1, nameof(MaxMessageFragments), "must be at least 1", MaxMessageFragments);
        Require(MaxBatchSize >= 1, nameof(MaxBatchSize), "must be at least 1 byte", MaxBatchSize);
        Require(CompressionThreshold >= 0, nameof(CompressionThreshold), "must not be negative", CompressionThreshold);
    }

    private static void Require(bool condition, string option, string rule, object value)
    {
        if (!condition)
        {
            throw new ArgumentException($"{nameof(SwitchyardWebSocketOptions)}.{option} {rule}, not {value}.");
        }
    }
}

/// <summary>What happens to a WebSocket client whose send queue is full because it reads too slowly.</summary>
public enum SlowClientMode
{
    /// <summary>Close it with 1008 (<see cref="WebSocketCloseCodes.PolicyViolation"/>, reason "slow client"); the message is counted and logged as dropped.</summary>
    Close,

    /// <summary>
    /// Drop the message (counted and logged) and keep the connection. A message that has waited
    /// <see cref="SwitchyardWebSocketOptions.SendTimeout"/> behind a write the client does not take is dropped the same way; a silent client that never reads again is still dropped by
    /// the keep-alive ping, which it cannot answer.
    /// </summary>
    DropMessage,
}
