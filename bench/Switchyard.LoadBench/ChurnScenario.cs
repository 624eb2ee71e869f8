using System.Diagnostics;

namespace Switchyard.LoadBench;

/// <summary>
/// <c>churn</c>: N cycles of opening K idle WebSocket connections and then closing them all at once (every close
/// handshake started together), while a separate connection times <c>GET /stats?gc=false</c> every 10 ms
/// (<see cref="StatsPinger"/>). One row per cycle: how long the server took to count the connections closed, the
/// latency of the requests due during the close (p50, p99, max), and the server's RSS before, open and after.
/// Issue 12, row 4: mass disconnects must not stall other requests, and memory must come back.
/// </summary>
internal static class ChurnScenario
{
    public const string Header = """
        | server | cycle | connections | RSS before (MB) | RSS open (MB) | close time (s) | server CPU µs/close | GC pause (ms) | gen2 GCs | GETs during close | p50 (ms) | p99 (ms) | max (ms) | RSS after close (MB) | closed cleanly | errors |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """;

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<string> RunAsync(BenchOptions options, ServerProbe probe, CancellationToken ct)
    {
        var baseline = await probe.StatsAsync(ct, gc: false);
        using var pinger = StatsPinger.Start(options.StatsUri, TimeSpan.FromMilliseconds(options.IntervalMilliseconds));
        var rows = new List<string>();
        for (var cycle = 1; cycle <= options.Cycles; cycle++)
        {
            var rssBefore = probe.Rss();
            using var invoker = Harness.CreateInvoker();
            var connections = await Harness.ConnectManyAsync(options, Role.Idle, options.Connections, invoker, true, ct);
            var opened = connections.Count(c => c is not null);
            var loops = connections.Where(c => c is not null)
                .Select(c => Harness.ReceiveLoopAsync(c!, Drop.Instance, ct)).ToArray();
            await probe.WaitForConnectionsAsync(n => n >= baseline.Connections + opened, TimeSpan.FromSeconds(60), ct, gc: false);
            var rssOpen = probe.Rss();

            var gcBefore = await probe.GcAsync(ct);
            var cpuBefore = probe.CpuTime();
            var from = Stopwatch.GetTimestamp();
            var closing = CloseAllAtOnceAsync(connections);
            var remaining = await probe.WaitForConnectionsAsync(n => n <= baseline.Connections, TimeSpan.FromSeconds(120), ct, gc: false);
            var closeTime = Harness.Seconds(from, Stopwatch.GetTimestamp());
            var closeCpu = Harness.Delta(cpuBefore, probe.CpuTime());
            var clean = await closing;
            await Harness.WaitBoundedAsync(Task.WhenAll(loops), Harness.CloseTimeout);
            foreach (var connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }

            // Whatever the server still does for the closed connections right after its count went down counts too.
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            var (latencies, errors) = pinger.Between(from, Stopwatch.GetTimestamp());
            var gcAfter = await probe.GcAsync(ct);
            await Task.Delay(Settle, ct);
            var rssAfter = probe.Rss();
            if (remaining > baseline.Connections)
            {
                Harness.Log($"cycle {cycle}: the server still counts {remaining - baseline.Connections} connections");
            }

            Array.Sort(latencies);
            var (pause, gen2) = gcBefore is { } b && gcAfter is { } a
                ? (Harness.N1(a.PauseMs - b.PauseMs), (a.Gen2 - b.Gen2).ToString(System.Globalization.CultureInfo.InvariantCulture))
                : ("n/a", "n/a");
            rows.Add($"| {options.Label} | {cycle} | {opened} | {Mb(rssBefore)} | {Mb(rssOpen)} | {Harness.N2(closeTime)} | " +
                     $"{Harness.MicrosPer(closeCpu, opened)} | {pause} | {gen2} | " +
                     $"{latencies.Length} | {Percentile(latencies, 0.50)} | {Percentile(latencies, 0.99)} | " +
                     $"{(latencies.Length > 0 ? Harness.N1(latencies[^1]) : "n/a")} | {Mb(rssAfter)} | {clean} | {errors} |");
        }

        return string.Join(Environment.NewLine, rows);
    }

    // Starts every close handshake before awaiting any: the server gets the close frames as fast as one client can send them.
    private static async Task<int> CloseAllAtOnceAsync(IReadOnlyList<BenchConnection?> connections)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var closes = connections.Where(c => c is not null).Select(c => c!.CloseAsync(timeout.Token)).ToArray();
        var results = await Task.WhenAll(closes);
        return results.Count(r => r);
    }

    private static string Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? "n/a" : Harness.N1(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)]);

    private static string Mb(long? bytes) => bytes is { } b ? Harness.N1(b / 1048576.0) : "n/a";

    private sealed class Drop : IMessageSink
    {
        public static readonly Drop Instance = new();

        public void OnMessage(ReadOnlySpan<byte> message, long receivedTimestamp)
        {
        }
    }
}
