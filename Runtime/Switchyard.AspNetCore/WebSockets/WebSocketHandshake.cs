using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Switchyard.AspNetCore;

/// <summary>The server side of the RFC 6455 opening handshake (§4.2) on HTTP/1.1.</summary>
internal static class WebSocketHandshake
{
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Returns <see langword="null"/> when the request is a valid WebSocket upgrade, else the status and reason to refuse it with.</summary>
    public static (int Status, string Reason)? Validate(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            return (StatusCodes.Status405MethodNotAllowed, "a WebSocket handshake must be a GET");
        }

        if (!request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)
            || !request.Headers.Connection.ToString().Contains("upgrade", StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status426UpgradeRequired, "this route is a WebSocket endpoint; the request is not a WebSocket upgrade");
        }

        if (request.Headers.SecWebSocketVersion.ToString() != "13")
        {
            return (StatusCodes.Status426UpgradeRequired, "only WebSocket version 13 is supported");
        }

        if (!IsValidKey(request.Headers.SecWebSocketKey.ToString()))
        {
            return (StatusCodes.Status400BadRequest, "Sec-WebSocket-Key is missing or is not 16 bytes in base64");
        }

        return null;
    }

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

    /// <summary>Sets the 101 response headers.</summary>
    public static void WriteResponseHeaders(HttpContext context, string? subprotocol)
    {
        var headers = context.Response.Headers;
        headers.Connection = HeaderNames.Upgrade;
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = ComputeAccept(context.Request.Headers.SecWebSocketKey.ToString());
        if (subprotocol is not null)
        {
            headers.SecWebSocketProtocol = subprotocol;
        }
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
