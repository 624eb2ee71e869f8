using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Switchyard.LoadBench;

/// <summary>What the client reads about the server: CPU time and RSS from /proc, managed heap and connections from /stats.</summary>
internal sealed class ServerProbe(int? pid, Uri statsUri) : IDisposable
{
    private static readonly Lazy<long> ClockTicksPerSecond = new(ReadClockTicks);

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public bool HasPid => pid is not null;

    /// <summary>The server's user + system CPU time (fields 14 and 15 of /proc/PID/stat), or null without a pid.</summary>
    public TimeSpan? CpuTime()
    {
        if (pid is null)
        {
            return null;
        }

        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Field 2 (comm) is in parentheses and may contain spaces: fields 3.. follow the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) +
                    long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((double)ticks / ClockTicksPerSecond.Value);
    }

    /// <summary>The server's resident set size in bytes (VmRSS of /proc/PID/status), or null without a pid.</summary>
    public long? Rss()
    {
        if (pid is null)
        {
            return null;
        }

        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>GET /stats: the managed heap after the server's forced full GC (none with <paramref name="gc"/> false), and its open WebSocket count.</summary>
    public async Task<(long ManagedHeap, int Connections)> StatsAsync(CancellationToken ct, bool gc = true)
    {
        using var response = await http.GetAsync(gc ? statsUri : new UriBuilder(statsUri) { Query = "gc=false" }.Uri, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return (json.RootElement.GetProperty("managedHeap").GetInt64(),
                json.RootElement.GetProperty("connections").GetInt32());
    }

    /// <summary>GET /stats?gc=false: the server's total GC pause time and gen-2 collections so far; null when it does not report them.</summary>
    public async Task<(double PauseMs, int Gen2)?> GcAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync(new UriBuilder(statsUri) { Query = "gc=false" }.Uri, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return json.RootElement.TryGetProperty("gcPauseMs", out var pause) && json.RootElement.TryGetProperty("gen2", out var gen2)
            ? (pause.GetDouble(), gen2.GetInt32())
            : null;
    }

    /// <summary>Polls /stats until <paramref name="done"/> holds for the connection count or the timeout passes (with <paramref name="gc"/> false, without forcing GCs on the server).</summary>
    public async Task<int> WaitForConnectionsAsync(Func<int, bool> done, TimeSpan timeout, CancellationToken ct, bool gc = true)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var connections = -1;
        while (true)
        {
            try
            {
                connections = (await StatsAsync(ct, gc)).Connections;
                if (done(connections))
                {
                    return connections;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                return connections;
            }

            await Task.Delay(100, ct);
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>Clock ticks per second for /proc/PID/stat, asked of <c>getconf CLK_TCK</c> once.</summary>
    private static long ReadClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (getconf is not null)
            {
                var text = getconf.StandardOutput.ReadToEnd().Trim();
                getconf.WaitForExit(5000);
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
                {
                    return ticks;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }

        return 100;
    }
}
