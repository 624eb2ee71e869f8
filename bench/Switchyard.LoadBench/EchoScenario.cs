using System.Diagnostics;
using System.Net.WebSockets;

namespace Switchyard.LoadBench;

/// <summary>
/// <c>echo</c>: C connections, each sending one message and awaiting its echo in a loop. A warm-up period is run and
/// not counted; then round trips and the server's CPU time are counted over the measured period.
/// </summary>
internal static class EchoScenario
{
    public const string Header = """
        | server | connections | size (B) | round trips/s | server CPU µs/round trip | server CPU % | client CPU % | RTT p50 (ms) | RTT p99 (ms) | errors |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """;

    public static async Task<string> RunAsync(BenchOptions options, ServerProbe probe, CancellationToken ct)
    {
        using var invoker = Harness.CreateInvoker();
        var connections = await Harness.ConnectManyAsync(options, Role.Echo, options.Connections, invoker, false, ct);
        var workers = connections.Select(c => new Worker(c!, options.Size)).ToArray();
        var loops = workers.Select(w => w.RunAsync(ct)).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(options.Warmup), ct);
        var histogram = new LatencyHistogram();
        var before = Snapshot.Take(probe);
        var countBefore = workers.Sum(w => w.RoundTrips);
        foreach (var worker in workers)
        {
            worker.Histogram = histogram;
        }

        await Task.Delay(TimeSpan.FromSeconds(options.Seconds), ct);
        var after = Snapshot.Take(probe);
        var countAfter = workers.Sum(w => w.RoundTrips);
        foreach (var worker in workers)
        {
            worker.Histogram = null;
            worker.Stop();
        }

        var stopped = await Harness.WaitBoundedAsync(Task.WhenAll(loops), Harness.CloseTimeout);
        if (!stopped)
        {
            Harness.Log("some echo loops did not finish their last round trip in time");
        }

        await Harness.CloseAllAsync(options, connections, []);

        var seconds = Harness.Seconds(before.Timestamp, after.Timestamp);
        var roundTrips = countAfter - countBefore;
        var serverCpu = Harness.Delta(before.ServerCpu, after.ServerCpu);
        var errors = workers.Sum(w => w.Errors) + workers.Count(w => w.Failed);
        return $"| {options.Label} | {options.Connections} | {options.Size} | {Harness.N0(roundTrips / seconds)} | " +
               $"{Harness.MicrosPer(serverCpu, roundTrips)} | {Harness.Percent(serverCpu, seconds)} | " +
               $"{Harness.Percent(after.ClientCpu - before.ClientCpu, seconds)} | " +
               $"{Harness.Ms(histogram.Percentile(50))} | {Harness.Ms(histogram.Percentile(99))} | {errors} |";
    }

    /// <summary>One connection's loop: send, receive until the echo of that message arrives, repeat.</summary>
    private sealed class Worker(BenchConnection connection, int size) : IMessageSink
    {
        private readonly byte[] message = new byte[Payload.MaxSize];
        private long expected;
        private bool received;
        private long roundTrips;
        private volatile bool stop;

        public volatile LatencyHistogram? Histogram;

        public long RoundTrips => Volatile.Read(ref roundTrips);

        public long Errors { get; private set; }

        public bool Failed { get; private set; }

        public void Stop() => stop = true;

        public async Task RunAsync(CancellationToken ct)
        {
            using var abort = connection.AbortOn(ct);
            try
            {
                while (!stop)
                {
                    expected++;
                    received = false;
                    var length = Payload.Write(message, Payload.EchoType, expected, Stopwatch.GetTimestamp(), size);
                    await connection.SendAsync(message.AsMemory(0, length), CancellationToken.None);
                    while (!received)
                    {
                        if (!await connection.ReceiveAsync(this, CancellationToken.None))
                        {
                            throw new WebSocketException("the server closed the connection");
                        }
                    }

                    Volatile.Write(ref roundTrips, roundTrips + 1);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                if (!stop)
                {
                    Failed = true;
                    Harness.Log($"echo connection failed: {e.Message}");
                }
            }
        }

        public void OnMessage(ReadOnlySpan<byte> text, long receivedTimestamp)
        {
            if (Payload.TryRead(text, out var seq, out var sent) && seq == expected)
            {
                received = true;
                Histogram?.Record((long)Harness.NanosecondsBetween(sent, receivedTimestamp));
            }
            else
            {
                Errors++;
            }
        }
    }
}
