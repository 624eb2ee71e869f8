// The Redis layer's throughput on one redis-server, the same work as bench/redis/channels_redis_bench.py:
//   send+receive        one send then one receive on one channel, one after the other (two Redis round trips)
//   ping-pong           two tasks bouncing a message over two channels of this process (new_channel), each waiting
//                       in a receive when its message comes: round trips per second
//   group send          to a group of 100 and of 1,000 members (channels of this process), one message each time
//   group over 4        1,000 members spread over 4 receiving OS processes (this program started again as "member"),
//                       every message received: deliveries per second from the first send to the last receive
// Usage: Switchyard.Redis.Benchmarks <host:port> [seconds per scenario] [send+receive|ping-pong|group|spread]
//        (<host:port> may instead be ipc:<name>: the same work on the IPC layer (Switchyard.Ipc), namespace <name>, its
//        segment in the default directory; bench/ipc/run.sh compares the two)
//        send+receive and ping-pong also print the 50th and 99th percentile of one round trip in microseconds
//        (<host:port> is one RedisChannelLayerOptions.Servers entry; bench/redis/cluster.sh passes a cluster's
//        "host:port,host:port,..." there and runs only "spread", the group over 4)
//        Switchyard.Redis.Benchmarks forward <host:port> [seconds per scenario]   (the forwarding path; see ForwardingBench.cs)
//        Switchyard.Redis.Benchmarks client <host:port> [seconds]   (StackExchange.Redis alone: see ClientFloor.cs)
//        Switchyard.Redis.Benchmarks history <host:port> [seconds] [rounds] [resumes]   (issue 15: see HistoryBench.cs)
//        Switchyard.Redis.Benchmarks presence <host:port> [members] [listings]   (issue 15: see PresenceBench.cs)
//        Switchyard.Redis.Benchmarks member <host:port> <prefix> <group> <members>   (a receiving process of "group over 4")
using System.Diagnostics;
using System.Globalization;
using Switchyard;
using Switchyard.Redis;

if (args is ["member", var memberServer, var memberPrefix, var memberGroup, var memberCount])
{
    await RunMemberAsync(memberServer, memberPrefix, memberGroup, int.Parse(memberCount, CultureInfo.InvariantCulture));
    return;
}

if (args is ["client", var clientServer, .. var clientRest])
{
    await ClientFloor.RunAsync(clientServer, clientRest.Length > 0 ? double.Parse(clientRest[0], CultureInfo.InvariantCulture) : 4);
    return;
}

if (args is ["forward", var forwardServer, .. var forwardRest])
{
    await ForwardingBench.RunAsync(forwardServer, forwardRest.Length > 0 ? double.Parse(forwardRest[0], CultureInfo.InvariantCulture) : 3, forwardRest.Length > 1 ? forwardRest[1] : null);
    return;
}

if (args is ["history", var historyServer, .. var historyRest])
{
    await HistoryBench.RunAsync(
        historyServer,
        historyRest.Length > 0 ? double.Parse(historyRest[0], CultureInfo.InvariantCulture) : 4,
        historyRest.Length > 1 ? int.Parse(historyRest[1], CultureInfo.InvariantCulture) : 2,
        historyRest.Length > 2 ? int.Parse(historyRest[2], CultureInfo.InvariantCulture) : 50);
    return;
}

if (args is ["presence", var presenceServer, .. var presenceRest])
{
    await PresenceBench.RunAsync(
        presenceServer,
        presenceRest.Length > 0 ? int.Parse(presenceRest[0], CultureInfo.InvariantCulture) : 10_000,
        presenceRest.Length > 1 ? int.Parse(presenceRest[1], CultureInfo.InvariantCulture) : 20);
    return;
}

var server = args.Length > 0 ? args[0] : "127.0.0.1:6379";
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var only = args.Length > 2 ? args[2] : null; // one scenario, for profiling: send+receive, ping-pong, group, spread
var prefix = $"bench{Environment.ProcessId}";
await using var layer = await ConnectAsync(server, prefix);
var payload = new byte[64];

// Warm-up: JIT and script cache.
for (var i = 0; i < 2_000; i++)
{
    await layer.SendAsync("bench.warm", new ChannelMessage("bench.tick", payload));
    await layer.ReceiveAsync("bench.warm");
}

var clock = Stopwatch.StartNew();
if (only is null or "send+receive")
{
    var latencies = new List<long>(1 << 16);
    clock.Restart();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        var started = Stopwatch.GetTimestamp();
        await layer.SendAsync("bench.rt", new ChannelMessage("bench.tick", payload));
        await layer.ReceiveAsync("bench.rt");
        latencies.Add(Stopwatch.GetTimestamp() - started);
    }

    Report("send+receive", latencies.Count / clock.Elapsed.TotalSeconds, $"round trips/s\t{Percentiles(latencies)}");
}

if (only is null or "ping-pong")
{
    var ping = await layer.NewChannelAsync("bench");
    var pong = await layer.NewChannelAsync("bench");
    using var stop = new CancellationTokenSource();
    var echo = Task.Run(async () =>
    {
        try
        {
            while (true)
            {
                var message = await layer.ReceiveAsync(ping, stop.Token);
                await layer.SendAsync(pong, message);
            }
        }
        catch (OperationCanceledException)
        {
        }
    });
    var latencies = new List<long>(1 << 16);
    clock.Restart();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        var started = Stopwatch.GetTimestamp();
        await layer.SendAsync(ping, new ChannelMessage("bench.tick", payload));
        await layer.ReceiveAsync(pong);
        latencies.Add(Stopwatch.GetTimestamp() - started);
    }

    Report("ping-pong", latencies.Count / clock.Elapsed.TotalSeconds, $"round trips/s\t{Percentiles(latencies)}");
    await stop.CancelAsync();
    await echo;
}

foreach (var members in only is null or "group" ? [100, 1_000] : Array.Empty<int>())
{
    var group = $"bench.group{members}";
    // Channels of this process that nobody receives on here (their prefix is not ping-pong's, so no receive loop
    // drains their inbox): the same send-only work as the channels_redis script's.
    for (var i = 0; i < members; i++)
    {
        await layer.GroupAddAsync(group, await layer.NewChannelAsync($"members{members}"));
    }

    var message = new ChannelMessage("bench.tick", payload);
    var sends = 0;
    clock.Restart();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        var result = await layer.GroupSendAsync(group, message);
        if (result.Delivered != members)
        {
            throw new InvalidOperationException($"A group send reached {result.Delivered} of {members} members.");
        }

        sends++;
    }

    var rate = sends / clock.Elapsed.TotalSeconds;
    Report($"group send {members}", rate, $"group sends/s\t{rate * members:F0}\tdeliveries/s");
    await layer.FlushAsync();
}

if (only is null or "spread")
{
    await GroupOverProcessesAsync(layer, server, prefix, processes: 4, membersEach: 250, seconds);
}

static void Report(string work, double rate, string unit) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{work}\t{rate:F1}\t{unit}"));

// "p50 <us>\tp99 <us>" of round-trip times in Stopwatch ticks.
static string Percentiles(List<long> ticks)
{
    ticks.Sort();
    double Micros(double share) => ticks.Count == 0 ? 0 : ticks[Math.Min(ticks.Count - 1, (int)(share * ticks.Count))] * 1_000_000.0 / Stopwatch.Frequency;
    return string.Create(CultureInfo.InvariantCulture, $"p50 {Micros(0.50):F1} us\tp99 {Micros(0.99):F1} us");
}

static async Task<ChannelLayer> ConnectAsync(string server, string prefix)
{
    if (server.StartsWith("ipc:", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
    {
        // The IPC layer: every process of the run (the member processes too) opens namespace <name>-<prefix>.
        // SWITCHYARD_IPC_DIRECTORY (bench/ipc/run.sh sets it to a folder it removes afterwards) or the default one.
        var ipc = new Switchyard.Ipc.IpcChannelLayerOptions
        {
            Name = $"{server[4..]}-{prefix}",
            Directory = Environment.GetEnvironmentVariable("SWITCHYARD_IPC_DIRECTORY"),
            SegmentSize = 512L << 20,
        };
        ipc.Layer.Capacity = 100_000;
        return Switchyard.Ipc.IpcChannelLayer.Open(ipc);
    }

    var options = new RedisChannelLayerOptions { Prefix = prefix };
    options.Servers.Add(server);
    options.Layer.Capacity = 100_000;
    options.InboxCapacity = 10_000_000; // the send-only scenarios have nobody receiving: the inbox must not fill up
    return await RedisChannelLayer.ConnectAsync(options);
}

// 4 receiving processes with 250 members each; this process sends to the group for the given time, then a stop message,
// and the clock runs until every process has received everything: deliveries per second, end to end.
static async Task GroupOverProcessesAsync(ChannelLayer layer, string server, string prefix, int processes, int membersEach, double seconds)
{
    const string Group = "bench.spread";
    var self = typeof(Program).Assembly.Location;
    var children = new List<Process>();
    try
    {
        for (var i = 0; i < processes; i++)
        {
            var child = Process.Start(new ProcessStartInfo("dotnet", [self, "member", server, prefix, Group, membersEach.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            children.Add(child);
        }

        foreach (var child in children)
        {
            if (await child.StandardOutput.ReadLineAsync() != "ready")
            {
                throw new InvalidOperationException("A member process did not start.");
            }
        }

        var message = new ChannelMessage("bench.tick", new byte[64]);
        var sends = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var result = await layer.GroupSendAsync(Group, message);
            if (result.Delivered != processes * membersEach)
            {
                throw new InvalidOperationException($"A group send reached {result.Delivered} of {processes * membersEach} members.");
            }

            sends++;
        }

        await layer.GroupSendAsync(Group, new ChannelMessage("bench.stop", Array.Empty<byte>()));
        long received = 0;
        foreach (var child in children)
        {
            received += long.Parse((await child.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        var expected = (long)sends * processes * membersEach;
        if (received != expected)
        {
            throw new InvalidOperationException($"{received} of {expected} deliveries arrived.");
        }

        Report($"group over {processes}", received / elapsed, $"deliveries/s\t{sends / elapsed:F1}\tgroup sends/s to {processes * membersEach} members in {processes} processes, every one received");
    }
    catch
    {
        // A failed run would leave the members waiting for the stop message forever: end them, then report the failure.
        foreach (var child in children)
        {
            child.Kill();
        }

        throw;
    }
    finally
    {
        foreach (var child in children)
        {
            await child.WaitForExitAsync();
            child.Dispose();
        }
    }
}

static async Task RunMemberAsync(string server, string prefix, string group, int members)
{
    await using var layer = await ConnectAsync(server, prefix);
    var channels = new string[members];
    for (var i = 0; i < members; i++)
    {
        channels[i] = await layer.NewChannelAsync("bench");
        await layer.GroupAddAsync(group, channels[i]);
    }

    long received = 0;
    var receivers = channels.Select(channel => Task.Run(async () =>
    {
        while ((await layer.ReceiveAsync(channel)).Type != "bench.stop")
        {
            Interlocked.Increment(ref received);
        }
    })).ToArray();
    Console.WriteLine("ready");
    await Task.WhenAll(receivers);
    Console.WriteLine(received.ToString(CultureInfo.InvariantCulture));
}
