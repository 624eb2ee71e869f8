using System.Diagnostics;

namespace Switchyard.LoadBench;

/// <summary>
/// <c>idle</c>: opens K WebSocket connections (in parallel batches) that stay open and silent, and measures what they
/// cost the server: RSS (VmRSS) and managed heap (from /stats, after a forced full GC) before and after, divided by K.
/// Then closes them all with the close handshake and checks the server's count goes back down.
/// </summary>
internal static class IdleScenario
{
    public const string Header = """
        | server | connections | open on server | open time (s) | RSS before (MB) | RSS after (MB) | RSS per connection (KB) | heap before (MB) | heap after (MB) | heap per connection (KB) | closed cleanly | open after close |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """;

    public static async Task<string> RunAsync(BenchOptions options, ServerProbe probe, CancellationToken ct)
    {
        var baseline = await probe.StatsAsync(ct);
        var rssBefore = probe.Rss();

        using var invoker = Harness.CreateInvoker();
        var start = Stopwatch.GetTimestamp();
        var connections = await Harness.ConnectManyAsync(options, Role.Idle, options.Connections, invoker, true, ct);
        var openTime = Harness.Seconds(start, Stopwatch.GetTimestamp());
        var opened = connections.Count(c => c is not null);
        var loops = connections.Where(c => c is not null)
            .Select(c => Harness.ReceiveLoopAsync(c!, Drop.Instance, ct)).ToArray();

        // Let the server finish accepting, then let it settle before reading.
        await probe.WaitForConnectionsAsync(n => n >= baseline.Connections + opened, TimeSpan.FromSeconds(30), ct);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var loaded = await probe.StatsAsync(ct);
        var rssAfter = probe.Rss();

        var clean = await Harness.CloseAllAsync(options, connections, loops);
        var remaining = await probe.WaitForConnectionsAsync(n => n <= baseline.Connections, TimeSpan.FromSeconds(30), ct);

        if (opened < options.Connections)
        {
            Harness.Log($"only {opened} of {options.Connections} connections opened");
        }

        var perConnection = Math.Max(1, opened);
        var rssPer = rssBefore is { } rb && rssAfter is { } ra ? Harness.N2((ra - rb) / 1024.0 / perConnection) : "n/a";
        return $"| {options.Label} | {opened} | {loaded.Connections - baseline.Connections} | {Harness.N1(openTime)} | " +
               $"{Mb(rssBefore)} | {Mb(rssAfter)} | {rssPer} | {Mb(baseline.ManagedHeap)} | {Mb(loaded.ManagedHeap)} | " +
               $"{Harness.N2((loaded.ManagedHeap - baseline.ManagedHeap) / 1024.0 / perConnection)} | {clean} | " +
               $"{remaining - baseline.Connections} |";
    }

    private static string Mb(long? bytes) => bytes is { } b ? Harness.N1(b / 1048576.0) : "n/a";

    private sealed class Drop : IMessageSink
    {
        public static readonly Drop Instance = new();

        public void OnMessage(ReadOnlySpan<byte> message, long receivedTimestamp)
        {
        }
    }
}
