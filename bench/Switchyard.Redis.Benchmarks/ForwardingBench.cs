// The forwarding path (issue 11) through each layer: group sends to 100 and 1,000 channels of one receiving layer, each
// with a forwarder attached (what a WebSocket connection does), counted as delivered when the forwarder has the frame
// (made with ChannelMessage.GetFrame, so once per message and process). Not the WebSocket writes: that is the load
// benchmark's part; this is the layer's cost of getting each message to every connection's send queue.
//   in-memory   one layer, the sender and the members in it
//   redis       a sending layer and a receiving layer (two "processes" in this one), one redis-server
//   redis-pubsub  the same with the pub/sub flavour
//   ...+receive   the path without forwarding, for comparison: no forwarder, each member's consumer receives every
//                 message (one receive loop per member; capacity 100,000 so the burst is never skipped)
// Each scenario sends bursts (2,000 messages to 100 members, 200 to 1,000) until the time is up, each burst waited for
// until every member has all of it: "sequential" awaits each group send before the next (bound by the Redis round
// trip), "pipelined" keeps 32 in flight (a busy server with many publishers). Reported: deliveries per second from the
// first send to the last delivery, this process's CPU time per delivery (sender and receiver side
// together, both layers), and for Redis the redis-server's CPU per delivery (INFO cpu).
// Usage: Switchyard.Redis.Benchmarks forward <host:port> [seconds per scenario] [layer/members/sending, one scenario]
using System.Diagnostics;
using System.Globalization;
using Switchyard;
using Switchyard.Redis;

internal static class ForwardingBench
{
    private const int Window = 32;
    private static readonly object FrameKey = new();

    public static async Task RunAsync(string server, double seconds, string? only = null)
    {
        Console.WriteLine("layer\tmembers\tsending\tdeliveries/s\tprocess CPU us/delivery\tredis CPU us/delivery\tdeliveries");
        foreach (var members in new[] { 100, 1_000 })
        {
            foreach (var pipelined in new[] { false, true })
            {
                foreach (var kind in new[] { "in-memory", "redis", "redis-pubsub", "in-memory+receive", "redis+receive" })
                {
                    if (only is not null && only != $"{kind}/{members}/{(pipelined ? "pipelined" : "sequential")}")
                    {
                        continue;
                    }

                    await RunScenarioAsync(kind, server, members, pipelined, seconds);
                }
            }
        }
    }

    private static async Task RunScenarioAsync(string kind, string server, int members, bool pipelined, double seconds)
    {
        var prefix = $"fwd{Environment.ProcessId}x{members}{(pipelined ? "p" : "s")}";
        var receiving = kind.EndsWith("+receive", StringComparison.Ordinal);
        var layerKind = receiving ? kind[..^"+receive".Length] : kind;
        var inMemory = layerKind == "in-memory";
        await using var receiver = await ConnectAsync(layerKind, server, prefix, receiving ? new ChannelLayerOptions { Capacity = 100_000 } : null);
        await using var sender = inMemory ? receiver : await ConnectAsync(layerKind, server, prefix, null);
        var group = "bench.forward";
        var forwarders = new CountingForwarder[members];
        var attachments = new List<IDisposable>();
        using var stop = new CancellationTokenSource();
        var loops = new List<Task>();
        for (var i = 0; i < members; i++)
        {
            var channel = await receiver.NewChannelAsync("ws");
            var forwarder = forwarders[i] = new CountingForwarder();
            if (receiving)
            {
                // The path without forwarding: the member's consumer is woken and receives every message.
                loops.Add(Task.Run(async () =>
                {
                    try
                    {
                        while (true)
                        {
                            forwarder.Forward(await receiver.ReceiveAsync(channel, stop.Token), mayWait: false);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }));
            }
            else
            {
                attachments.Add(receiver.AttachForwarder(channel, forwarder));
            }

            await receiver.GroupAddAsync(group, channel);
        }

        var payload = new byte[64];
        var burst = members == 100 ? 2_000 : 200;

        // Warm-up: one burst, not measured.
        long sent = await SendBurstAsync(sender, group, payload, burst, pipelined);
        await WaitDeliveredAsync(forwarders, sent);

        var redisBefore = inMemory ? 0 : await RedisCpuSecondsAsync(server);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var measuredFrom = sent;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            // One burst, then until every member has all of it: what a burst costs end to end.
            sent += await SendBurstAsync(sender, group, payload, burst, pipelined);
            await WaitDeliveredAsync(forwarders, sent);
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var redisCpu = inMemory ? 0 : await RedisCpuSecondsAsync(server) - redisBefore;
        var deliveries = (sent - measuredFrom) * members;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{kind}\t{members}\t{(pipelined ? "pipelined" : "sequential")}\t{deliveries / elapsed:F0}\t{cpu * 1e6 / deliveries:F3}\t{(inMemory ? "-" : (redisCpu * 1e6 / deliveries).ToString("F3", CultureInfo.InvariantCulture))}\t{deliveries}"));

        attachments.ForEach(a => a.Dispose());
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        if (!inMemory)
        {
            await sender.FlushAsync();
        }
    }

    private static async Task<long> SendBurstAsync(ChannelLayer sender, string group, byte[] payload, int count, bool pipelined)
    {
        if (!pipelined)
        {
            for (var i = 0; i < count; i++)
            {
                await sender.GroupSendAsync(group, new ChannelMessage("bench.tick", payload));
            }

            return count;
        }

        var inFlight = new Queue<Task<GroupSendResult>>(Window);
        for (var i = 0; i < count; i++)
        {
            if (inFlight.Count == Window)
            {
                await inFlight.Dequeue();
            }

            inFlight.Enqueue(sender.GroupSendAsync(group, new ChannelMessage("bench.tick", payload)).AsTask());
            if (inFlight.Peek().IsCompletedSuccessfully && inFlight.Peek().Result.SkippedFull > 0)
            {
                Console.Error.WriteLine($"skipped {inFlight.Peek().Result}");
            }
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue();
        }

        return count;
    }

    private static async Task WaitDeliveredAsync(CountingForwarder[] forwarders, long perMember)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var forwarder in forwarders)
        {
            while (forwarder.Count < perMember)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"A member has {forwarder.Count} of {perMember} messages.");
                }

                await Task.Delay(1);
            }
        }
    }

    private static async Task<ChannelLayer> ConnectAsync(string kind, string server, string prefix, ChannelLayerOptions? options)
    {
        switch (kind)
        {
            case "in-memory":
                return new InMemoryChannelLayer(options ?? new ChannelLayerOptions());
            case "redis":
                var redis = new RedisChannelLayerOptions { Prefix = prefix };
                redis.Layer.Capacity = options?.Capacity ?? redis.Layer.Capacity;
                redis.Servers.Add(server);
                return await RedisChannelLayer.ConnectAsync(redis, loggerFactory: ErrorLog.Factory);
            default:
                var pubSub = new RedisPubSubChannelLayerOptions { Prefix = prefix };
                pubSub.Servers.Add(server);
                return await RedisPubSubChannelLayer.ConnectAsync(pubSub, loggerFactory: ErrorLog.Factory);
        }
    }

    // used_cpu_sys + used_cpu_user of the redis-server, in seconds.
    private static async Task<double> RedisCpuSecondsAsync(string server)
    {
        var colon = server.LastIndexOf(':');
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(server[..colon], int.Parse(server[(colon + 1)..], CultureInfo.InvariantCulture));
        var stream = client.GetStream();
        await stream.WriteAsync("INFO cpu\r\n"u8.ToArray());
        var buffer = new byte[4096];
        var text = string.Empty;
        while (!text.Contains("used_cpu_user:", StringComparison.Ordinal) || !text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            text += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        }

        double Value(string name)
        {
            var start = text.IndexOf(name + ":", StringComparison.Ordinal) + name.Length + 1;
            var end = text.IndexOf('\r', start);
            return double.Parse(text[start..end], CultureInfo.InvariantCulture);
        }

        return Value("used_cpu_sys") + Value("used_cpu_user");
    }

    // Takes every message: makes its frame (once per message and process; shared by every member) and counts it.
    private sealed class CountingForwarder : IChannelForwarder
    {
        private long _count;

        public long Count => Volatile.Read(ref _count);

        public ForwardOutcome Forward(ChannelMessage message, bool mayWait)
        {
            _ = message.GetFrame(FrameKey, static m => m.Payload.ToArray());
            Interlocked.Increment(ref _count);
            return ForwardOutcome.Forwarded;
        }

        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => default;
    }
}

// Warnings and errors of the layers, on stderr: a run that skipped or dropped something says so.
internal sealed class ErrorLog : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILogger
{
    public static readonly ErrorLog Factory = new();

    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
    {
    }

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Warning;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"{logLevel} {eventId.Name}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
        }
    }
}
