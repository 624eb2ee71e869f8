using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Switchyard.AspNetCore;

/// <summary>The server side of the RFC 6455 opening handshake (§4.2): an HTTP/1.1 GET with <c>Upgrade: websocket</c>, answered 101.</summary>
internal sealed class UpgradeHandshake : WebSocketHandshake
{
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private UpgradeHandshake()
    {
    }

    public static UpgradeHandshake Instance { get; } = new();

    public override string Name => "upgrade";

    public override (int Status, string Reason)? Validate(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method))
        {
            return (StatusCodes.Status405MethodNotAllowed, "a WebSocket handshake must be a GET (HTTP/1.1) or an extended CONNECT (HTTP/2)");
        }

        // HTTP/2 has no Upgrade (RFC 9113 §8.2.2), so a 426 asking for one cannot be answered on this connection;
        // ASP.NET Core's WebSocketMiddleware leaves such a request to the app, and its samples answer 400.
        if (HttpProtocol.IsHttp2(request.Protocol) || HttpProtocol.IsHttp3(request.Protocol))
        {
            return (StatusCodes.Status400BadRequest, $"this route is a WebSocket endpoint; over {request.Protocol} a WebSocket is opened with an extended CONNECT (:protocol websocket, RFC 8441), not a {request.Method}");
        }

        if (!request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)
            || !request.Headers.Connection.ToString().Contains("upgrade", StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status426UpgradeRequired, "this route is a WebSocket endpoint; the request is not a WebSocket upgrade");
        }

        if (!IsSupportedVersion(request))
        {
            return (StatusCodes.Status426UpgradeRequired, "only WebSocket version 13 is supported");
        }

        if (!IsValidKey(request.Headers.SecWebSocketKey.ToString()))
        {
            return (StatusCodes.Status400BadRequest, "Sec-WebSocket-Key is missing or is not 16 bytes in base64");
        }

        if (context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true })
        {
            return (StatusCodes.Status400BadRequest, $"the server cannot upgrade this {request.Protocol} connection to a WebSocket");
        }

        return null;
    }

    public override async Task<Stream> AcceptAsync(HttpContext context, string? subprotocol)
    {
        var headers = context.Response.Headers;
        headers.Connection = HeaderNames.Upgrade;
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = ComputeAccept(context.Request.Headers.SecWebSocketKey.ToString());
        if (subprotocol is not null)
        {
            headers.SecWebSocketProtocol = subprotocol;
        }

        // Sets the status to 101 and flushes the response head.
        return await context.Features.GetRequiredFeature<IHttpUpgradeFeature>().UpgradeAsync().ConfigureAwait(false);
    }

    internal static string ComputeAccept(string key)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + KeyGuid), hash);
        return Convert.ToBase64String(hash);
    }

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var length) && length == 16;
    }
}
