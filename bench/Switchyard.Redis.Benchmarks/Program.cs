// The Redis layer's throughput on one redis-server, the same work as bench/redis/channels_redis_bench.py:
//   send+receive   one send then one receive on one channel, sequentially (a round trip through Redis and back)
//   group send     to a group of 100 and of 1,000 members (channels of this process), one message each time
// Usage: Switchyard.Redis.Benchmarks <host:port> [seconds per scenario]
using System.Diagnostics;
using System.Globalization;
using Switchyard;
using Switchyard.Redis;

var server = args.Length > 0 ? args[0] : "127.0.0.1:6379";
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var options = new RedisChannelLayerOptions { Prefix = $"bench{Environment.ProcessId}" };
options.Servers.Add(server);
options.Layer.Capacity = 100_000;
options.InboxCapacity = 10_000_000; // nobody receives in this run: the inbox must not fill up and skip members
await using var layer = await RedisChannelLayer.ConnectAsync(options);
var payload = new byte[64];

// Warm-up: JIT and script cache.
for (var i = 0; i < 2_000; i++)
{
    await layer.SendAsync("bench.warm", new ChannelMessage("bench.tick", payload));
    await layer.ReceiveAsync("bench.warm");
}

var roundTrips = 0;
var clock = Stopwatch.StartNew();
while (clock.Elapsed.TotalSeconds < seconds)
{
    await layer.SendAsync("bench.rt", new ChannelMessage("bench.tick", payload));
    await layer.ReceiveAsync("bench.rt");
    roundTrips++;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"send+receive\t{roundTrips / clock.Elapsed.TotalSeconds:F0}\tround trips/s"));

foreach (var members in new[] { 100, 1_000 })
{
    var group = $"bench.group{members}";
    var channels = new List<string>();
    for (var i = 0; i < members; i++)
    {
        var channel = await layer.NewChannelAsync("bench");
        channels.Add(channel);
        await layer.GroupAddAsync(group, channel);
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
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"group send {members}\t{rate:F1}\tgroup sends/s\t{rate * members:F0}\tdeliveries/s"));
    await layer.FlushAsync();
}
