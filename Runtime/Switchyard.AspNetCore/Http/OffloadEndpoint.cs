using Microsoft.AspNetCore.Http;
using Switchyard.Server;

namespace Switchyard.AspNetCore;

/// <summary>
/// An offloaded route (Channels 1 style): the request becomes an <see cref="HttpRequestEvent"/> on a named channel
/// with a fresh reply channel; a worker answers there with <see cref="HttpResponseStart"/> and
/// <see cref="HttpResponseBody"/> chunks, which are streamed to the client as they come. No reply within
/// <see cref="SwitchyardServerOptions.OffloadTimeout"/> gets 504; a full worker channel gets 503.
/// </summary>
internal sealed class OffloadEndpoint(string channel, SwitchyardServer server)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var aborted = context.RequestAborted;
        var body = await RequestBody.ReadAsync(request, server.Options.MaxRequestBodySize, aborted).ConfigureAwait(false);
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var layer = server.Layer;
        var replyChannel = await layer.NewChannelAsync("http.reply", aborted).ConfigureAwait(false);
        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())).ToArray();
        var requestEvent = new HttpRequestEvent(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, headers, body, replyChannel);
        try
        {
            await layer.SendAsync(channel, ChannelMessage.Create(requestEvent), aborted).ConfigureAwait(false);
        }
        catch (ChannelLayerException ex)
        {
            ServerLog.OffloadRefused(server.Logger, ex, channel, request.Method, request.Path.Value ?? "/", ex.Message);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var responder = new HttpResponseResponder(context.Response);
        var started = false;
        while (true)
        {
            ChannelMessage reply;
            using var timeout = new CancellationTokenSource(server.Options.OffloadTimeout, server.Time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout.Token);
            try
            {
                // Cancelling the receive (rather than abandoning it) leaves no waiter behind to swallow a late reply.
                reply = await layer.ReceiveAsync(replyChannel, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !aborted.IsCancellationRequested)
            {
                ServerLog.OffloadTimedOut(server.Logger, channel, server.Options.OffloadTimeout, request.Method, request.Path.Value ?? "/");
                if (started)
                {
                    context.Abort();
                }
                else
                {
                    context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
                }

                return;
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                return;
            }

            if (!started && reply.Type == HttpResponseStart.MessageType)
            {
                var start = reply.Read<HttpResponseStart>();
                await responder.StartAsync(start.Status, start.Headers, aborted).ConfigureAwait(false);
                started = true;
            }
            else if (started && reply.Type == HttpResponseBody.MessageType)
            {
                var chunk = reply.Read<HttpResponseBody>();
                await responder.WriteAsync(chunk.Body, chunk.MoreBody, aborted).ConfigureAwait(false);
                if (!chunk.MoreBody)
                {
                    return;
                }
            }
            else
            {
                ServerLog.OffloadRefused(server.Logger, null, channel, request.Method, request.Path.Value ?? "/", $"the worker replied '{reply.Type}' out of order");
                if (started)
                {
                    context.Abort();
                }
                else
                {
                    context.Response.StatusCode = StatusCodes.Status502BadGateway;
                }

                return;
            }
        }
    }
}
