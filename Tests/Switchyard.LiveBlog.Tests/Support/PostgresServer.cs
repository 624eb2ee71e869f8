using System.Diagnostics;
using Switchyard.Redis.Tests.Support;

namespace Switchyard.LiveBlog.Tests.Support;

/// <summary>
/// A private PostgreSQL cluster in a temporary folder on a free loopback port (trust auth), started for a test and
/// removed after it. The test script installs Debian's postgresql when it is missing. PostgreSQL refuses to run as
/// root, so as root the server runs as the 'postgres' user the package creates.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _data;
    private readonly string _bin;

    private PostgresServer(string bin, string data, int port)
    {
        _bin = bin;
        _data = data;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed; ./test.sh installs it (apt-get install -y postgresql).");
        }

        var data = Path.Combine(Path.GetTempPath(), "switchyard-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var server = new PostgresServer(bin, data, ChildProcess.FreePort());
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres", data);
        }

        await server.RunAsPostgresAsync("initdb", "-D", data, "-A", "trust", "-U", "postgres");
        await server.RunAsPostgresAsync("pg_ctl", "-D", data, "-w", "-l", Path.Combine(data, "log"), "-o", $"-p {server.Port} -k {data} -c listen_addresses=127.0.0.1", "start");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsPostgresAsync("pg_ctl", "-D", _data, "-w", "-m", "immediate", "stop");
        Directory.Delete(_data, recursive: true);
    }

    private Task RunAsPostgresAsync(string tool, params string[] arguments) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string fileName, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
