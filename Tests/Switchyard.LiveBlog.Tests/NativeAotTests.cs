using System.Diagnostics;
using System.Net;
using Switchyard.LiveBlog.Tests.Support;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// The live-blog server published with Native AOT (net10.0, linux-x64; warnings are errors, so a trim or AOT warning
/// fails the publish) and smoke-tested as a native binary on each layer: a page is served and a post reaches an open
/// page live.
/// </summary>
public sealed class NativeAotTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-liveblog-aot-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_server_publishes_with_native_aot_without_warnings_and_the_binary_serves_pages_and_live_updates()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Path.Combine(_directory, "publish");
        var project = Path.Combine(LiveBlogProcess.RepositoryRoot(), "Samples", "LiveBlog", "LiveBlog.csproj");
        var start = new ProcessStartInfo("dotnet", ["publish", project, "-r", "linux-x64", "-c", "Release", "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using (var publish = Process.Start(start)!)
        {
            var log = publish.StandardOutput.ReadToEndAsync(ct);
            var errors = publish.StandardError.ReadToEndAsync(ct);
            await publish.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(10), ct);
            var text = await log + await errors;
            Assert.True(publish.ExitCode == 0, text);
            Assert.DoesNotContain("warning", text, StringComparison.OrdinalIgnoreCase);
        }

        var binary = Path.Combine(output, "LiveBlog");
        Assert.True(File.Exists(binary), $"No native binary at {binary}.");

        // On its embedded defaults, then on Redis (the layer's client, scripts and inbox loop compiled ahead of time),
        // then on the IPC layer (its native calls, segment and doorbells compiled ahead of time).
        await SmokeTestAsync(binary, "sqlite", [], ct);
        await using var redis = await RedisServer.StartAsync();
        await SmokeTestAsync(binary, "redis", ["--redis", redis.ConnectionString], ct);
        await SmokeTestAsync(binary, "ipc", ["--ipc", "aot", "--Switchyard:Ipc:Directory", Path.Combine(_directory, "ipc")], ct);
    }

    private async Task SmokeTestAsync(string binary, string name, string[] options, CancellationToken ct)
    {
        var port = ChildProcess.FreePort();
        await using var server = await ChildProcess.StartAsync(
            binary,
            ["--urls", $"http://127.0.0.1:{port}", "--environment", "Development", "--ConnectionStrings:LiveBlog", $"Data Source={Path.Combine(_directory, name + ".db")}", .. options],
            "Live blog is running on",
            TimeSpan.FromSeconds(20));
        await using var blog = LiveBlogProcess.Attach(port);

        using var page = await blog.Http.GetAsync("/blogs/launch-day", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var socket = await blog.ConnectAsync("launch-day", 0, ct);
        await blog.LoginAsync(ct);
        var id = (await blog.PublishAsync("launch-day", "Native", "From the *AOT* binary.", ct)).GetProperty("id").GetInt64();
        var change = await LiveBlogProcess.ReceiveUntilAsync(socket, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(2), ct);
        Assert.Equal("<p>From the <em>AOT</em> binary.</p>", change.GetProperty("html").GetString());
    }
}
