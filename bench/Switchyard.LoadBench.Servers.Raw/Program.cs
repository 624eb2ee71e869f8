// The load benchmark's baseline: a raw Kestrel WebSocket server written the way a competent engineer would write it
// by hand. No framework beyond ASP.NET Core's WebSocket middleware.
//
//   /echo               every text frame is sent back unchanged
//   /fanout             a subscriber: added to one in-process set; read only to notice the close
//   /publish            a publisher: every text frame it sends goes to every subscriber
//   /ws/group/{name}/   the relay: a member of group {name}; every text frame it sends goes to every member of the
//                       group, the sender included (as Switchyard's and SignalR's relays do)
//   /stats              GET: {"managedHeap": <bytes after a full GC; ?gc=false: no GC, cheap>, "connections": <open WebSockets>}
//
// Each subscriber (or member) has its own bounded outbound queue drained by its own send loop, so one slow client
// does not stall the others; the bytes of a published frame are copied once and shared by every queue. Idle sockets
// wait with a zero-byte read and only rent a buffer when a frame arrives, so an idle connection holds no receive buffer
// (publishers and relay members, which are there to send, hold one pooled receive buffer while connected).

using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Threading.Channels;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

var app = builder.Build();
app.UseWebSockets();

var fanout = new FanoutGroup();
var groups = new ConcurrentDictionary<string, FanoutGroup>(StringComparer.Ordinal);

app.Map("/echo", context => RawServer.AcceptAsync(context, RawServer.EchoAsync));
app.Map("/fanout", context => RawServer.AcceptAsync(context, ws => fanout.SubscribeAsync(ws, context.RequestAborted)));
app.Map("/publish", context => RawServer.AcceptAsync(context, ws => fanout.PublishAsync(ws, context.RequestAborted)));
app.Map("/ws/group/{name}/", (HttpContext context, string name) =>
{
    var group = groups.GetOrAdd(name, static _ => new FanoutGroup());
    return RawServer.AcceptAsync(context, ws => group.MemberAsync(ws, context.RequestAborted));
});
app.MapGet("/stats", (HttpRequest request) =>
{
    // ?gc=false: no forced collection, a cheap request (the churn scenario times one every 10 ms).
    if (request.Query["gc"] != "false")
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    var json = string.Create(CultureInfo.InvariantCulture,
        $"{{\"managedHeap\":{GC.GetTotalMemory(false)},\"connections\":{RawServer.OpenConnections},\"gcPauseMs\":{GC.GetTotalPauseDuration().TotalMilliseconds:F1},\"gen2\":{GC.CollectionCount(2)}}}");
    return Results.Text(json, "application/json");
});

app.Run();

internal static class RawServer
{
    private static int openConnections;

    /// <summary>The size of the buffer rented when a frame arrives.</summary>
    internal const int BufferSize = 4096;

    public static int OpenConnections => Volatile.Read(ref openConnections);

    public static async Task AcceptAsync(HttpContext context, Func<WebSocket, Task> run)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var ws = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref openConnections);
        try
        {
            await run(ws);
        }
        catch (WebSocketException)
        {
            // The client went away without a close handshake.
        }
        catch (OperationCanceledException)
        {
            // The request was aborted.
        }
        finally
        {
            Interlocked.Decrement(ref openConnections);
        }
    }

    /// <summary>Sends every text frame back unchanged (fragments are echoed as they arrive).</summary>
    public static async Task EchoAsync(WebSocket ws)
    {
        while (true)
        {
            // Wait for the next frame without holding a buffer.
            var peek = await ws.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
            if (peek.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await ws.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await CloseAsync(ws);
                        return;
                    }

                    await ws.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage,
                        CancellationToken.None);
                }
                while (!result.EndOfMessage);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        await CloseAsync(ws);
    }

    /// <summary>Reads until the client closes, discarding any data (subscribers send none).</summary>
    public static async Task DrainUntilCloseAsync(WebSocket ws, CancellationToken ct)
    {
        while (true)
        {
            var peek = await ws.ReceiveAsync(Memory<byte>.Empty, ct);
            if (peek.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await ws.ReceiveAsync(buffer.AsMemory(), ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                }
                while (!result.EndOfMessage);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Answers the client's close handshake.</summary>
    public static Task CloseAsync(WebSocket ws) =>
        ws.State == WebSocketState.CloseReceived
            ? ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)
            : Task.CompletedTask;
}

/// <summary>
/// One in-process set of subscribers and the connections that publish to it: /fanout and /publish share one; each relay
/// group is one whose members both subscribe and publish.
/// </summary>
internal sealed class FanoutGroup
{
    /// <summary>
    /// Frames queued per subscriber before the publisher waits for that subscriber (back-pressure instead of loss,
    /// as SignalR does when a connection's output pipe is full).
    /// </summary>
    private const int QueueCapacity = 1024;

    private readonly Lock gate = new();

    // Copy-on-write: publishing reads the current array without a lock; subscribe and unsubscribe replace it.
    private Subscriber[] subscribers = [];

    /// <summary>/fanout: receives every frame published to the group; sends nothing.</summary>
    public async Task SubscribeAsync(WebSocket ws, CancellationToken aborted)
    {
        var subscriber = new Subscriber(ws);
        Add(subscriber);
        var sending = subscriber.SendLoopAsync(aborted);
        try
        {
            await RawServer.DrainUntilCloseAsync(ws, aborted);
        }
        finally
        {
            Remove(subscriber);
            subscriber.Stop();
        }

        await EndAsync(ws, sending);
    }

    /// <summary>/publish: every text frame it sends goes to every subscriber; receives nothing.</summary>
    public async Task PublishAsync(WebSocket ws, CancellationToken aborted)
    {
        await ReceiveAndPublishAsync(ws, aborted);
        await RawServer.CloseAsync(ws);
    }

    /// <summary>A relay member: receives every frame published to the group, and every text frame it sends is published.</summary>
    public async Task MemberAsync(WebSocket ws, CancellationToken aborted)
    {
        var member = new Subscriber(ws);
        Add(member);
        var sending = member.SendLoopAsync(aborted);
        try
        {
            await ReceiveAndPublishAsync(ws, aborted);
        }
        finally
        {
            Remove(member);
            member.Stop();
        }

        await EndAsync(ws, sending);
    }

    private static async Task EndAsync(WebSocket ws, Task sending)
    {
        try
        {
            await sending;
        }
        catch (WebSocketException)
        {
        }

        await RawServer.CloseAsync(ws);
    }

    /// <summary>Reads frames until the client closes; each complete text frame goes to every subscriber.</summary>
    private async Task ReceiveAndPublishAsync(WebSocket ws, CancellationToken aborted)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(RawServer.BufferSize);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var result = await ws.ReceiveAsync(buffer.AsMemory(length), aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                length += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    // One copy of the frame, shared by every subscriber's queue.
                    ReadOnlyMemory<byte> frame = buffer.AsSpan(0, length).ToArray();
                    foreach (var subscriber in Volatile.Read(ref subscribers))
                    {
                        await subscriber.EnqueueAsync(frame, aborted);
                    }
                }

                length = 0;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Add(Subscriber subscriber)
    {
        lock (gate)
        {
            subscribers = [.. subscribers, subscriber];
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (gate)
        {
            var index = Array.IndexOf(subscribers, subscriber);
            if (index < 0)
            {
                return;
            }

            var next = new Subscriber[subscribers.Length - 1];
            subscribers.AsSpan(0, index).CopyTo(next);
            subscribers.AsSpan(index + 1).CopyTo(next.AsSpan(index));
            subscribers = next;
        }
    }

    private sealed class Subscriber(WebSocket ws)
    {
        private readonly Channel<ReadOnlyMemory<byte>> queue = Channel.CreateBounded<ReadOnlyMemory<byte>>(
            new BoundedChannelOptions(QueueCapacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait,
            });

        private volatile bool stopped;

        public ValueTask EnqueueAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
        {
            if (queue.Writer.TryWrite(frame))
            {
                return ValueTask.CompletedTask;
            }

            return WaitAndEnqueueAsync(frame, ct);
        }

        private async ValueTask WaitAndEnqueueAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
        {
            try
            {
                await queue.Writer.WriteAsync(frame, ct);
            }
            catch (ChannelClosedException)
            {
                // The subscriber left while the publisher waited for room.
            }
        }

        public void Stop()
        {
            stopped = true;
            queue.Writer.TryComplete();
        }

        public async Task SendLoopAsync(CancellationToken ct)
        {
            var reader = queue.Reader;
            try
            {
                while (await reader.WaitToReadAsync(ct))
                {
                    while (reader.TryRead(out var frame))
                    {
                        if (stopped)
                        {
                            return;
                        }

                        await ws.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                // Never leave a publisher waiting on a queue nobody drains.
                queue.Writer.TryComplete();
            }
        }
    }
}
