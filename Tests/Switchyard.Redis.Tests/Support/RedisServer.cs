namespace Switchyard.Redis.Tests.Support;

/// <summary>
/// A private redis-server on a free loopback port (no persistence), started for a test class and stopped after it.
/// The test script installs redis-server when it is missing; without it these tests fail saying so.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private ChildProcess? _process;

    private RedisServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        var server = new RedisServer(ChildProcess.FreePort(), extraArguments);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>A server on a free port that is not running yet (<see cref="RestartAsync"/> starts it): Redis "down" from the start.</summary>
    public static RedisServer NotStarted(params string[] extraArguments) => new(ChildProcess.FreePort(), extraArguments);

    /// <summary>Kills the server (no shutdown handshake): connections see it die mid-traffic.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts the server again on the same port (or for the first time, after <see cref="NotStarted"/>).</summary>
    public Task RestartAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync() => await KillAsync();

    private static string FindExecutable() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server is not installed; ./test.sh installs it (apt-get install -y redis-server).");

    private async Task StartProcessAsync()
    {
        string[] arguments = ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", .. _extraArguments];
        _process = await ChildProcess.StartAsync(FindExecutable(), arguments, "Ready to accept connections", TimeSpan.FromSeconds(10));

        // Recorded for the test script, which stops whatever a crashed run left behind.
        if (Environment.GetEnvironmentVariable("SWITCHYARD_REDIS_PIDS") is { Length: > 0 } pids && Directory.Exists(pids))
        {
            await File.WriteAllTextAsync(Path.Combine(pids, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ConnectionString);
        }
    }
}
