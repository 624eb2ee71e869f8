using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchyard.Redis.Tests.Support;

/// <summary>
/// A private redis-server on a free loopback port (no persistence), started for a test class and stopped after it.
/// The test script installs redis-server when it is missing; without it these tests fail saying so.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private Process? _process;

    private RedisServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        var server = new RedisServer(FreePort(), extraArguments);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Kills the server (no shutdown handshake): connections see it die mid-traffic.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same port.</summary>
    public Task RestartAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync() => await KillAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindExecutable() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server is not installed; ./test.sh installs it (apt-get install -y redis-server).");

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo(FindExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" }.Concat(_extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        // Ready when it says so on its log; bounded.
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server on port {Port} exited while starting."));
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Recorded for the test script, which stops whatever a crashed run left behind.
        if (Environment.GetEnvironmentVariable("SWITCHYARD_REDIS_PIDS") is { Length: > 0 } pids && Directory.Exists(pids))
        {
            await File.WriteAllTextAsync(Path.Combine(pids, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ConnectionString);
        }
    }
}
