using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Switchyard.Server;

namespace Switchyard.AspNetCore;

/// <summary>
/// The endpoint of one WebSocket route: checks the handshake, the origin, the channel layer's connection (503 while it
/// is away), the connection limit and that the route values make valid group names (400), creates the consumer with
/// its own channel, runs its connect step, and answers 101 on HTTP/1.1 or 200 on HTTP/2 (then runs the connection) or
/// the status the consumer refused with. Only the handshake check and the taking of the stream differ between the
/// versions (<see cref="WebSocketHandshake"/>).
/// </summary>
internal sealed class WebSocketEndpoint(ConsumerRoute route, SwitchyardServer server)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;

        // The only version-specific steps: this check, and AcceptAsync below (the 101 or 200 and the stream).
        var handshake = WebSocketHandshake.For(context);
        if (handshake.Validate(context) is { } invalid)
        {
            await RefuseAsync(context, invalid.Status, invalid.Reason, "handshake").ConfigureAwait(false);
            return;
        }

        if (server.Origins.Check(request.Headers.Origin.ToString(), request.Scheme, request.Host.Value ?? string.Empty) is { } originProblem)
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, originProblem, "origin").ConfigureAwait(false);
            return;
        }

        if (server.Stopping.IsCancellationRequested)
        {
            // Draining (SIGTERM): Kestrel still accepts until the host stops it, but a connection accepted now would be
            // closed 1001 at once; refused with a hint instead, a reconnecting client waits and finds another server.
            server.RetryLater(context);
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "the server is shutting down; try again in a few seconds", "shutting_down").ConfigureAwait(false);
            return;
        }

        if (!server.Layer.IsConnected)
        {
            // Its channel, its groups and what is sent to it live on the layer: refused before the handshake, with a
            // hint to try again, rather than accepted and failed.
            server.RetryLater(context);
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, server.LayerDisconnectedReason, "layer_disconnected").ConfigureAwait(false);
            return;
        }

        if (!server.Connections.TryAcquire())
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, $"the server is at its limit of {server.Options.MaxConnections} WebSocket connections", "connection_limit").ConfigureAwait(false);
            return;
        }

        // One method from handshake to close: an open connection keeps one state machine here, not two.
        try
        {
            var consumer = (WebSocketConsumer)route.Factory(context.RequestServices);
            var channel = await server.Layer.NewChannelAsync("ws", context.RequestAborted).ConfigureAwait(false);
            var scope = new WebSocketScope(channel)
            {
                Path = context.Request.Path.Value ?? "/",
                QueryString = context.Request.QueryString.Value ?? string.Empty,
                Headers = new HeaderDictionaryView(context.Request.Headers),
                Subprotocols = WebSocketHandshake.ReadSubprotocols(context.Request),
                RemoteAddress = context.Connection.RemoteIpAddress,
                RouteValues = RouteValues.Read(context),
                User = context.User,
                UserId = server.UserIds.GetUserId(context.User),
                Services = context.RequestServices,
            };

            // A route value that cannot name the consumer's groups is the client's mistake: 400, before any handshake.
            if (RouteGroupCheck.FindProblem(consumer, scope) is { } routeProblem)
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, routeProblem, "route_value").ConfigureAwait(false);
                return;
            }

            var connection = new WebSocketConnection(
                consumer, scope, server.Layer, server.Options.WebSockets, server.Options.Consumers, server.LoggerFactory, server.MeterFactory, server.Time);
            var result = await connection.ConnectAsync(server.Stopping).ConfigureAwait(false);
            if (!result.IsAccepted)
            {
                context.Response.StatusCode = result.StatusCode;
                return;
            }

            // permessage-deflate (RFC 7692) when the server offers it and the client asked for it; alike on both versions.
            if (server.Options.WebSockets.EnableCompression && WebSocketDeflateNegotiation.TryAccept(request.Headers.SecWebSocketExtensions))
            {
                context.Response.Headers.SecWebSocketExtensions = WebSocketDeflateNegotiation.Response;
                connection.EnableDeflate();
            }

            Stream transport;
            try
            {
                transport = await handshake.AcceptAsync(context, result.Subprotocol).ConfigureAwait(false);
            }
            catch
            {
                // The client left between the consumer's accept and the 101 (or 200): stop the consumer, then let
                // Kestrel log it.
                await connection.AbandonAsync().ConfigureAwait(false);
                throw;
            }

            // A request timeout (UseRequestTimeouts) is for the handshake, not for the connection's life.
            context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
            ServerLog.WebSocketOpened(server.Logger, scope.Path, scope.ChannelName, handshake.Name, request.Protocol);
            int closeCode;
            await using (transport.ConfigureAwait(false))
            {
                // Reads wait with zero-byte reads, so an idle socket holds no buffer; each flush of queued frames is one
                // write to Kestrel from a pooled buffer that goes back to the pool right after.
                closeCode = await connection.RunAsync(transport, context.RequestAborted).ConfigureAwait(false);
            }

            if (closeCode == WebSocketCloseCodes.AbnormalClosure)
            {
                // The connection was lost or dropped (the client left, a ping or the close timed out, a stalled client):
                // Kestrel's stream ends the response cleanly when the endpoint returns, which on HTTP/2 would be an
                // orderly end of the stream and would wait for flow control to send what was left. Aborting resets the
                // stream (RST_STREAM) and drops what was queued; on HTTP/1.1 the TCP connection closes either way.
                context.Abort();
            }
        }
        finally
        {
            server.Connections.Release();
        }
    }

    private async Task RefuseAsync(HttpContext context, int status, string reason, string metricReason)
    {
        server.WebSocketMetrics.Rejected(metricReason);
        ServerLog.WebSocketRefused(server.Logger, context.Request.Path.Value ?? "/", status, reason);
        context.Response.StatusCode = status;
        if (metricReason == "handshake")
        {
            // The version this server speaks (RFC 6455 §4.4), on every refused handshake and on both HTTP versions.
            context.Response.Headers.SecWebSocketVersion = WebSocketHandshake.SupportedVersion;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(reason + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
