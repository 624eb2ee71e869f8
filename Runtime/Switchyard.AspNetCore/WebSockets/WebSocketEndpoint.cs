using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchyard.Server;

namespace Switchyard.AspNetCore;

/// <summary>
/// The endpoint of one WebSocket route: checks the handshake, the origin, the channel layer's connection (503 while it
/// is away), the connection limit and that the route values make valid group names (400), creates the consumer with
/// its own channel, runs its connect step, and answers 101 (then runs the connection) or the status
/// the consumer refused with.
/// </summary>
internal sealed class WebSocketEndpoint(ConsumerRoute route, SwitchyardServer server)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (WebSocketHandshake.Validate(request) is { } invalid)
        {
            await RefuseAsync(context, invalid.Status, invalid.Reason, "handshake").ConfigureAwait(false);
            return;
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is null || !upgrade.IsUpgradableRequest)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "the connection cannot be upgraded (Switchyard serves WebSockets over HTTP/1.1)", "handshake").ConfigureAwait(false);
            return;
        }

        if (server.Origins.Check(request.Headers.Origin.ToString(), request.Scheme, request.Host.Value ?? string.Empty) is { } originProblem)
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, originProblem, "origin").ConfigureAwait(false);
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

            WebSocketHandshake.WriteResponseHeaders(context, result.Subprotocol);
            Stream transport;
            try
            {
                transport = await upgrade.UpgradeAsync().ConfigureAwait(false);
            }
            catch
            {
                // The client left between the consumer's accept and the 101: stop the consumer, then let Kestrel log it.
                await connection.AbandonAsync().ConfigureAwait(false);
                throw;
            }

            await using (transport.ConfigureAwait(false))
            {
                // Reads wait with zero-byte reads, so an idle socket holds no buffer; each flush of queued frames is one
                // write to Kestrel from a pooled buffer that goes back to the pool right after.
                await connection.RunAsync(transport, context.RequestAborted).ConfigureAwait(false);
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
        if (status == StatusCodes.Status426UpgradeRequired)
        {
            context.Response.Headers.SecWebSocketVersion = "13";
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(reason + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
