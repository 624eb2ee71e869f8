using Switchyard.Server;

namespace Switchyard.AspNetCore;

/// <summary>How the interface server admits and runs connections. Configure with <c>AddSwitchyard().ConfigureServer(...)</c>.</summary>
public sealed class SwitchyardServerOptions
{
    /// <summary>
    /// Gets the origins a browser WebSocket may come from, such as <c>https://example.com</c> or
    /// <c>https://*.example.com</c>; <c>*</c> allows any. Empty (the default) allows only the server's own origin (the
    /// request's <c>Host</c>), so a page on another site cannot open a socket with the user's cookies.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// Gets or sets whether a WebSocket request without an <c>Origin</c> header is refused. Browsers always send one;
    /// other clients (mobile apps, servers) usually do not, so the default <see langword="false"/> admits them.
    /// </summary>
    public bool RequireOrigin { get; set; }

    /// <summary>Gets or sets the most WebSocket connections open at once; more are refused with HTTP 503. Default 10,000.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Gets or sets the largest request body an HTTP consumer or an offloaded route accepts, in bytes; larger gets HTTP 413. Default 1 MiB.</summary>
    public int MaxRequestBodySize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets how long an offloaded route waits for the worker's next reply message (the response start, then each
    /// body chunk); no reply in time gets HTTP 504 (or, mid-stream, an aborted response). Default 30 s.
    /// </summary>
    public TimeSpan OffloadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the WebSocket limits and timers: message size, pings, connect and close timeouts, slow clients.</summary>
    public SwitchyardWebSocketOptions WebSockets { get; } = new();

    /// <summary>
    /// Gets how the connections' consumers are run (their drain timeout on shutdown). Pass the same object to
    /// <c>WebSocketCommunicator</c> or <c>HttpCommunicator</c> to test a consumer as this server runs it.
    /// </summary>
    public ConsumerOptions Consumers { get; } = new();

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        if (MaxConnections < 1)
        {
            throw new ArgumentException($"{nameof(SwitchyardServerOptions)}.{nameof(MaxConnections)} must be at least 1, not {MaxConnections}.");
        }

        if (MaxRequestBodySize < 0)
        {
            throw new ArgumentException($"{nameof(SwitchyardServerOptions)}.{nameof(MaxRequestBodySize)} must not be negative, not {MaxRequestBodySize}.");
        }

        if (OffloadTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(SwitchyardServerOptions)}.{nameof(OffloadTimeout)} must be positive, not {OffloadTimeout}.");
        }

        foreach (var origin in AllowedOrigins)
        {
            OriginPolicy.ValidateAllowedOrigin(origin);
        }

        WebSockets.Validate();
        Consumers.Validate();
    }
}
