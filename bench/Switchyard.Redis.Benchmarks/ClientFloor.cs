// The floor under the layer's send+receive: StackExchange.Redis itself (the client the layer runs on), one LPUSH then
// one LPOP of a 64-byte value, each awaited before the next, on the same server and CPU placement as the layer's run.
// No layer can do a sequential send+receive faster than its client does these two plain commands; the gap between
// this and redis-benchmark's ceiling is the client's (task continuations and its socket threads sharing one core when
// pinned), the gap between the layer and this is the layer's.
// Usage: Switchyard.Redis.Benchmarks client <host:port> [seconds]
using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

internal static class ClientFloor
{
    public static async Task RunAsync(string server, double seconds)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server);
        var database = connection.GetDatabase();
        RedisKey key = $"bench:floor:{Environment.ProcessId}";
        RedisValue value = new byte[64];
        for (var i = 0; i < 2_000; i++)
        {
            await database.ListRightPushAsync(key, value);
            await database.ListLeftPopAsync(key);
        }

        var pairs = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await database.ListRightPushAsync(key, value);
            await database.ListLeftPopAsync(key);
            pairs++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"StackExchange.Redis LPUSH+LPOP\t{pairs / clock.Elapsed.TotalSeconds:F1}\tpairs/s"));
    }
}
