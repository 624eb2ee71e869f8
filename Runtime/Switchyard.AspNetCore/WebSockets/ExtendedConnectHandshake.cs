using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.AspNetCore;

/// <summary>
/// The server side of a WebSocket over HTTP/2 (RFC 8441 §4-5): a CONNECT with <c>:protocol websocket</c> on a stream,
/// answered 200. The stream's DATA frames carry the RFC 6455 frames; there is no <c>Sec-WebSocket-Key</c>/<c>Accept</c>
/// (the <c>:protocol</c> pseudo-header does their job), while <c>Sec-WebSocket-Version</c> and
/// <c>Sec-WebSocket-Protocol</c> mean what they mean on HTTP/1.1. Kestrel advertises
/// <c>SETTINGS_ENABLE_CONNECT_PROTOCOL</c> on every HTTP/2 connection and checks the pseudo-headers.
/// </summary>
internal sealed class ExtendedConnectHandshake : WebSocketHandshake
{
    private ExtendedConnectHandshake()
    {
    }

    public static ExtendedConnectHandshake Instance { get; } = new();

    public override string Name => "extended CONNECT";

    public override (int Status, string Reason)? Validate(HttpContext context)
    {
        var protocol = context.Features.GetRequiredFeature<IHttpExtendedConnectFeature>().Protocol;
        if (!string.Equals(protocol, "websocket", StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status400BadRequest, $"this route is a WebSocket endpoint; the extended CONNECT asks for protocol '{protocol}', not 'websocket'");
        }

        // RFC 6455 §4.4 answers a version it does not speak with 426; without Upgrade on HTTP/2 it is a 400 that names
        // the version (the refusal carries Sec-WebSocket-Version: 13 as on HTTP/1.1).
        if (!IsSupportedVersion(context.Request))
        {
            return (StatusCodes.Status400BadRequest, "only WebSocket version 13 is supported");
        }

        return null;
    }

    public override async Task<Stream> AcceptAsync(HttpContext context, string? subprotocol)
    {
        if (subprotocol is not null)
        {
            context.Response.Headers.SecWebSocketProtocol = subprotocol;
        }

        // Kestrel accepts only with a 2xx status: 200, the status RFC 8441 §5 gives an accepted WebSocket.
        context.Response.StatusCode = StatusCodes.Status200OK;
        return await context.Features.GetRequiredFeature<IHttpExtendedConnectFeature>().AcceptAsync().ConfigureAwait(false);
    }
}
