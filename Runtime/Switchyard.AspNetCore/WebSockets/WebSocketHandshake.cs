using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.AspNetCore;

/// <summary>
/// The part of a WebSocket opening handshake that depends on the HTTP version: how the request is checked, what the
/// accepting response carries and how the stream is taken. Everything else (origin, limits, the consumer's connect
/// step) is the same on every version and stays in <see cref="WebSocketEndpoint"/>.
/// </summary>
internal abstract class WebSocketHandshake
{
    /// <summary>The only WebSocket version there is (RFC 6455 §4.1); RFC 8441 §5 keeps it for HTTP/2.</summary>
    public const string SupportedVersion = "13";

    /// <summary>Gets the name the log uses for this handshake (<c>upgrade</c>, <c>extended CONNECT</c>).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Picks the handshake the request asks for: an extended CONNECT (RFC 8441, HTTP/2) when the server says the
    /// request is one, whatever its <c>:protocol</c> (checked by <see cref="Validate"/>), else the HTTP/1.1 upgrade.
    /// </summary>
    public static WebSocketHandshake For(HttpContext context) =>
        context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true }
            ? ExtendedConnectHandshake.Instance
            : UpgradeHandshake.Instance;

    /// <summary>Returns <see langword="null"/> when the request is a valid WebSocket handshake, else the status and reason to refuse it with.</summary>
    public abstract (int Status, string Reason)? Validate(HttpContext context);

    /// <summary>
    /// Answers the handshake (101 or 200) with the chosen subprotocol and returns the WebSocket's stream; throws what
    /// Kestrel throws when the client left before the answer went out.
    /// </summary>
    public abstract Task<Stream> AcceptAsync(HttpContext context, string? subprotocol);

    /// <summary>Reads the subprotocols the client offered, in order.</summary>
    public static string[] ReadSubprotocols(HttpRequest request)
    {
        var values = request.Headers.SecWebSocketProtocol;
        if (values.Count == 0)
        {
            return [];
        }

        var list = new List<string>();
        foreach (var value in values)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                list.Add(part);
            }
        }

        return [.. list];
    }

    /// <summary>Whether the request names version 13 in <c>Sec-WebSocket-Version</c>.</summary>
    protected static bool IsSupportedVersion(HttpRequest request) =>
        request.Headers.SecWebSocketVersion.ToString().Trim() == SupportedVersion;
}
