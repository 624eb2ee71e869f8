using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;

namespace Switchyard.LoadBench;

/// <summary>CPU and wall-clock readings at the two ends of a measured phase.</summary>
internal readonly record struct Snapshot(long Timestamp, TimeSpan? ServerCpu, TimeSpan ClientCpu)
{
    public static Snapshot Take(ServerProbe probe)
    {
        using var self = Process.GetCurrentProcess();
        return new Snapshot(Stopwatch.GetTimestamp(), probe.CpuTime(), self.TotalProcessorTime);
    }
}

/// <summary>What the scenarios share: opening many connections, receive loops, closing, formatting.</summary>
internal static class Harness
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>One handler for every WebSocket of the run (the upgrade takes the TCP connection out of its pool).</summary>
    public static HttpMessageInvoker CreateInvoker() => new(new SocketsHttpHandler
    {
        ConnectTimeout = ConnectTimeout,
        MaxConnectionsPerServer = int.MaxValue,
    });

    /// <summary>Opens <paramref name="count"/> connections, at most <c>--connect-concurrency</c> at once.</summary>
    /// <returns>The connections in order; null where a connect failed (when <paramref name="tolerateFailures"/>).</returns>
    public static async Task<BenchConnection?[]> ConnectManyAsync(
        BenchOptions options, Role role, int count, HttpMessageInvoker invoker, bool tolerateFailures, CancellationToken ct)
    {
        var connections = new BenchConnection?[count];
        string? firstError = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = ct },
            async (i, token) =>
            {
                var connection = BenchConnection.Create(options);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(ConnectTimeout);
                try
                {
                    await connection.ConnectAsync(options.Url, role, invoker, timeout.Token);
                    connections[i] = connection;
                }
                catch (Exception e) when (tolerateFailures && !token.IsCancellationRequested &&
                                          e is WebSocketException or OperationCanceledException or HttpRequestException
                                              or InvalidOperationException)
                {
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                    await connection.DisposeAsync();
                }
                catch
                {
                    await connection.DisposeAsync();
                    throw;
                }
            });

        if (firstError is not null)
        {
            Log($"some connects failed; first error: {firstError}");
        }

        return connections;
    }

    /// <summary>The one receive loop of a connection: until the server closes, the socket fails or <paramref name="ct"/>.</summary>
    public static async Task ReceiveLoopAsync(BenchConnection connection, IMessageSink sink, CancellationToken ct)
    {
        using var abort = connection.AbortOn(ct);
        try
        {
            while (await connection.ReceiveAsync(sink, CancellationToken.None))
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes every connection with the close handshake (bounded), waits for their loops, disposes them.</summary>
    /// <returns>How many closed cleanly.</returns>
    public static async Task<int> CloseAllAsync(
        BenchOptions options, IReadOnlyList<BenchConnection?> connections, IEnumerable<Task> loops)
    {
        var clean = 0;
        await Parallel.ForEachAsync(connections,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(options.ConnectConcurrency, 64) },
            async (connection, _) =>
            {
                if (connection is null)
                {
                    return;
                }

                using var timeout = new CancellationTokenSource(CloseTimeout);
                if (await connection.CloseAsync(timeout.Token))
                {
                    Interlocked.Increment(ref clean);
                }
            });

        await WaitBoundedAsync(Task.WhenAll(loops), CloseTimeout);
        foreach (var connection in connections)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        return clean;
    }

    public static async Task<bool> WaitBoundedAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            return true;
        }
    }

    public static double NanosecondsBetween(long from, long to) =>
        (to - from) * (1_000_000_000.0 / Stopwatch.Frequency);

    public static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    public static void Log(string message) => Console.Error.WriteLine($"[loadbench] {message}");

    // Formatting for the Markdown rows (invariant culture).
    public static string N0(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string N1(double value) => value.ToString("N1", CultureInfo.InvariantCulture);

    public static string N2(double value) => value.ToString("N2", CultureInfo.InvariantCulture);

    public static string Ms(long nanoseconds) => (nanoseconds / 1e6).ToString("N2", CultureInfo.InvariantCulture);

    public static string Percent(TimeSpan? cpu, double seconds) =>
        cpu is { } c && seconds > 0 ? (c.TotalSeconds / seconds * 100).ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    public static string MicrosPer(TimeSpan? cpu, double count) =>
        cpu is { } c && count > 0 ? (c.TotalMicroseconds / count).ToString("N2", CultureInfo.InvariantCulture) : "n/a";

    public static TimeSpan? Delta(TimeSpan? from, TimeSpan? to) => from is { } a && to is { } b ? b - a : null;
}
