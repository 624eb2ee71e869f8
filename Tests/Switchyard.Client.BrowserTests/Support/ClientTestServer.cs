using System.Net;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Client.BrowserTests.Support;

/// <summary>
/// Tests/Switchyard.Client.TestServer running as its own process on a loopback port: the page loads from it and
/// talks to its consumers; the test drives its groups and gates over HTTP.
/// </summary>
internal sealed class ClientTestServer : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ClientTestServer(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    public HttpClient Http { get; }

    /// <summary>Gets what the process wrote last, for a failure message.</summary>
    public string Output => _process.Output;

    /// <summary>
    /// Starts the server on <paramref name="port"/> (a free one when <see langword="null"/>) and returns once it says it
    /// is listening; at most 30 s.
    /// </summary>
    public static async Task<ClientTestServer> StartAsync(int? port = null)
    {
        var dist = Path.Combine(RepositoryRoot(), "Clients", "typescript", "dist");
        if (!File.Exists(Path.Combine(dist, "index.js")))
        {
            throw new InvalidOperationException($"The TypeScript client is not built ({dist}/index.js is missing): run npm ci && npm run build in Clients/typescript.");
        }

        var listen = port ?? ChildProcess.FreePort();
        var process = await ChildProcess.StartAsync("dotnet", [FindServer(), "--urls", $"http://127.0.0.1:{listen}", "--client-dist", dist], "Client test server is running on", TimeSpan.FromSeconds(30));
        return new ClientTestServer(process, listen);
    }

    /// <summary>Sends <c>FeedItem(from)</c> … <c>FeedItem(from + count - 1)</c> to the group <c>feed.{name}</c>, in order.</summary>
    public Task FeedAsync(string name, int from, int count, CancellationToken ct) => PostAsync($"/test/feed/{name}?from={from}&count={count}", ct);

    /// <summary>Closes every connection to the feed <paramref name="name"/> with 1012.</summary>
    public Task KickAsync(string name, CancellationToken ct) => PostAsync($"/test/kick/{name}", ct);

    /// <summary>Shuts a gate of the server (see Tests/Switchyard.Client.TestServer/Program.cs).</summary>
    public async Task ShutAsync(string gate, CancellationToken ct)
    {
        using var response = await Http.PutAsync($"/test/gates/{gate}", null, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Opens a gate that was shut; fails the test when it was not.</summary>
    public Task OpenAsync(string gate, CancellationToken ct) => PostAsync($"/test/gates/{gate}", ct);

    /// <summary>Kills the process with SIGKILL, as a crash would.</summary>
    public Task KillAsync() => _process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    private async Task PostAsync(string path, CancellationToken ct)
    {
        using var response = await Http.PostAsync(path, null, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {path}: {(int)response.StatusCode} {body}");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No Switchyard.slnx above {AppContext.BaseDirectory}.");
    }

    private static string FindServer()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var server = Path.Combine(RepositoryRoot(), "Tests", "Switchyard.Client.TestServer", "bin", configuration, "net10.0", "Switchyard.Client.TestServer.dll");
        return File.Exists(server)
            ? server
            : throw new InvalidOperationException($"The client test server is not built at {server}; build the solution first.");
    }
}
