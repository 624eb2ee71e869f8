using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests.Support;

/// <summary>The live-blog sample running as its own process on a free port, with its own SQLite file unless given one.</summary>
internal sealed class LiveBlogProcess : IAsyncDisposable
{
    private readonly ChildProcess? _process;

    private LiveBlogProcess(ChildProcess? process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process?.HasExited ?? false;

    /// <summary>Gets what the process wrote last, for a failure message.</summary>
    public string Output => _process?.Output ?? string.Empty;

    /// <summary>A client of a live-blog server started some other way (the native binary).</summary>
    public static LiveBlogProcess Attach(int port) => new(null, port);

    public static async Task<LiveBlogProcess> StartAsync(string database, params string[] options)
    {
        // An explicit --urls among the options keeps its port (a restart on the same address).
        var urls = Array.IndexOf(options, "--urls");
        var port = urls >= 0 ? new Uri(options[urls + 1]).Port : ChildProcess.FreePort();
        // Development: the tests log in with the sample's default password, which Production refuses (an option given
        // later, such as --environment Production, wins).
        string[] arguments = [FindSample(), .. urls >= 0 ? Array.Empty<string>() : ["--urls", $"http://127.0.0.1:{port}"], "--environment", "Development", "--ConnectionStrings:LiveBlog", $"Data Source={database}", .. options];
        var ready = options.Contains("--worker-only") ? "Live-blog worker is running" : "Live blog is running on";
        return new LiveBlogProcess(await ChildProcess.StartAsync("dotnet", arguments, ready, TimeSpan.FromSeconds(30)), port);
    }

    public async Task LoginAsync(CancellationToken ct)
    {
        using var response = await Http.PostAsync("/login", new FormUrlEncodedContent([new("password", "editor")]), ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/editor", response.Headers.Location?.OriginalString);
    }

    public async Task<JsonElement> PublishAsync(string blog, string title, string body, CancellationToken ct)
    {
        using var response = await Http.PostAsJsonAsync($"/api/blogs/{blog}/posts", new { title, body }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    public async Task<ClientWebSocket> ConnectAsync(string blog, long after, CancellationToken ct, string? since = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", $"http://127.0.0.1:{Port}");
        var resume = since is null ? string.Empty : "&since=" + Uri.EscapeDataString(since);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/ws/liveblog/{blog}/?after={after}{resume}"), ct);
        return socket;
    }

    /// <summary>Reads changes until one matches, within <paramref name="within"/>; fails the test otherwise.</summary>
    public static async Task<JsonElement> ReceiveUntilAsync(ClientWebSocket socket, Func<JsonElement, bool> match, TimeSpan within, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(within);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                var change = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement.Clone();
                if (match(change))
                {
                    return change;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            Assert.Fail($"No matching change arrived within {within.TotalSeconds} s.");
            throw;
        }
    }

    /// <summary>Waits until the process writes a line containing <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan within) =>
        (_process ?? throw new InvalidOperationException("This live blog was not started by the test.")).WaitForOutputAsync(text, within);

    /// <summary>Sends SIGTERM and returns the exit code; fails when it takes longer than <paramref name="within"/>.</summary>
    public Task<int> TerminateAsync(TimeSpan within) =>
        (_process ?? throw new InvalidOperationException("This live blog was not started by the test.")).TerminateAsync(within);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    /// <summary>The repository this test assembly was built in.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No Switchyard.slnx above {AppContext.BaseDirectory}.");
    }

    internal static string FindSample()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var sample = Path.Combine(RepositoryRoot(), "Samples", "LiveBlog", "bin", configuration, "net10.0", "LiveBlog.dll");
        return File.Exists(sample)
            ? sample
            : throw new InvalidOperationException($"The live-blog sample is not built at {sample}; build the solution first.");
    }
}
