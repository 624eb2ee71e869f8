using Microsoft.AspNetCore.Http;
using Switchyard.Server;

namespace Switchyard.AspNetCore;

/// <summary>
/// The endpoint of one HTTP consumer route: answers 503 while the channel layer is not connected, reads the body within
/// the limit, refuses with 400 route values that cannot name the consumer's groups, runs the consumer, and answers 500
/// if it ends without a response.
/// </summary>
internal sealed class HttpEndpoint(ConsumerRoute route, SwitchyardServer server)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (!server.Layer.IsConnected)
        {
            // Its channel and groups live on the layer: refused before the consumer is created, with a hint to try again.
            ServerLog.HttpConsumerRefused(server.Logger, context.Request.Method, context.Request.Path.Value ?? "/", StatusCodes.Status503ServiceUnavailable, server.LayerDisconnectedReason);
            server.RetryLater(context);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(server.LayerDisconnectedReason + "\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var body = await RequestBody.ReadAsync(context.Request, server.Options.MaxRequestBodySize, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsync($"The request body is larger than {server.Options.MaxRequestBodySize} bytes.\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var consumer = (HttpConsumer)route.Factory(context.RequestServices);
        var channel = await server.Layer.NewChannelAsync("http", context.RequestAborted).ConfigureAwait(false);
        var scope = new HttpScope(channel)
        {
            Method = context.Request.Method,
            Path = context.Request.Path.Value ?? "/",
            QueryString = context.Request.QueryString.Value ?? string.Empty,
            Headers = new HeaderDictionaryView(context.Request.Headers),
            RemoteAddress = context.Connection.RemoteIpAddress,
            RouteValues = RouteValues.Read(context),
            User = context.User,
            Services = context.RequestServices,
        };

        // A route value that cannot name the consumer's groups is the client's mistake: 400, not a consumer fault.
        if (RouteGroupCheck.FindProblem(consumer, scope) is { } routeProblem)
        {
            ServerLog.HttpConsumerRefused(server.Logger, context.Request.Method, scope.Path, StatusCodes.Status400BadRequest, routeProblem);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(routeProblem + "\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var connection = new HttpConnection(consumer, scope, server.Layer, new HttpResponseResponder(context.Response), server.Options.Consumers, server.LoggerFactory, server.MeterFactory);
        var reason = await connection.RunAsync(body, context.RequestAborted, server.Stopping).ConfigureAwait(false);
        if (!connection.ResponseStarted && !context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = reason == ConsumerStopReason.Shutdown ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        }
        else if (!connection.ResponseCompleted)
        {
            // Headers are out, the body is not finished: the client must not take a truncated body for a whole one.
            context.Abort();
        }
    }
}
