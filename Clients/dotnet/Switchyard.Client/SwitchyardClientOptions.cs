using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Switchyard.Client;

/// <summary>Options of a <see cref="SwitchyardClient"/>.</summary>
public sealed class SwitchyardClientOptions
{
    /// <summary>Gets or sets how the client reconnects (on 1001, 1005, 1006, 1011–1014 and failed connects).</summary>
    public SwitchyardReconnectOptions Reconnect { get; set; } = new();

    /// <summary>
    /// Gets or sets whether a reconnect resumes: the URL gets <c>since=&lt;position&gt;</c> (the last group position the
    /// client kept) and frames at or before that position are dropped. Default <see langword="true"/>.
    /// </summary>
    public bool Resume { get; set; } = true;

    /// <summary>Gets or sets the query parameter a reconnect carries the position in. Default <c>since</c>.</summary>
    public string ResumeQueryParameter { get; set; } = "since";

    /// <summary>Gets or sets how long a request waits for its answer unless it says otherwise. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many frames <see cref="SwitchyardClient.SendAsync{T}"/> queues while not connected before it throws. Default 1000.</summary>
    public int MaxQueued { get; set; } = 1000;

    /// <summary>Gets or sets the largest message the client receives; a larger one closes with 1009. Default 16 MiB.</summary>
    public int MaxMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Gets or sets what configures each <see cref="ClientWebSocket"/> before it connects: headers, cookies, client
    /// certificates, proxy, keep-alive. The subprotocol <c>switchyard.batch</c> is always offered; do not add it.
    /// </summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>Gets or sets the source of the backoff's jitter: a number in [0, 1). Default <see cref="Random.Shared"/>.</summary>
    public Func<double>? Jitter { get; set; }

    /// <summary>Gets or sets where the client logs connection changes, dropped frames and handler failures; none by default.</summary>
    public ILogger? Logger { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Reconnect);
        Reconnect.Validate();
        ArgumentException.ThrowIfNullOrEmpty(ResumeQueryParameter);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueued, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 1024);
        if (RequestTimeout <= TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "RequestTimeout must be positive or Timeout.InfiniteTimeSpan.");
        }
    }
}
