using System.Net;
using System.Net.WebSockets;
using Switchyard.LiveBlog.Tests.Support;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>The live blog on Redis started while Redis is down: it starts, says it is unhealthy, and works once Redis is there.</summary>
public sealed class AvailabilityTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-liveblog-" + Guid.NewGuid().ToString("N"));
    private RedisServer _redis = null!;

    private string Database => Path.Combine(_directory, "liveblog.db");

    private string[] OnRedis => ["--redis", _redis.ConnectionString];

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _redis = RedisServer.NotStarted();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_server_and_a_worker_start_without_Redis_are_unhealthy_refuse_sockets_with_503_and_work_once_Redis_is_there()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var worker = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--worker-only", "true"]);
        await using var server = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--no-worker", "true"]);

        // Both are up; what needs no layer is served, the rest says why not.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthAsync(server, ct));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthAsync(worker, ct));
        using (var page = await server.Http.GetAsync("/blogs/launch-day", ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectCollectingAsync(server, ct));
        Assert.Contains("503", refused.Message, StringComparison.Ordinal);

        await _redis.RestartAsync();
        var back = System.Diagnostics.Stopwatch.StartNew();
        await HealthyWithinAsync(server, TimeSpan.FromSeconds(10), ct);
        await HealthyWithinAsync(worker, TimeSpan.FromSeconds(10), ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"Both processes said Healthy {back.ElapsedMilliseconds} ms after Redis was ready.");

        // A post published now is rendered by the worker process and reaches a page connected to the server.
        using var socket = await server.ConnectAsync("launch-day", 0, ct);
        await server.LoginAsync(ct);
        var id = (await server.PublishAsync("launch-day", "After the outage", "Redis is *back*.", ct)).GetProperty("id").GetInt64();
        var change = await LiveBlogProcess.ReceiveUntilAsync(socket, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal("<p>Redis is <em>back</em>.</p>", change.GetProperty("html").GetString());
        Assert.False(worker.HasExited);
        Assert.False(server.HasExited);
    }

    private static async Task<HttpStatusCode> HealthAsync(LiveBlogProcess process, CancellationToken ct)
    {
        using var response = await process.Http.GetAsync("/healthz", ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.Equal(response.StatusCode == HttpStatusCode.OK ? "Healthy" : "Unhealthy", body);
        return response.StatusCode;
    }

    // The process's own health endpoint is the only signal from outside it: asked again (bounded) until it says Healthy.
    private static async Task HealthyWithinAsync(LiveBlogProcess process, TimeSpan within, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(within);
        try
        {
            while (await HealthAsync(process, deadline.Token) != HttpStatusCode.OK)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            Assert.Fail($"/healthz on port {process.Port} did not say Healthy within {within.TotalSeconds} s of Redis starting.");
        }
    }

    private static async Task ConnectCollectingAsync(LiveBlogProcess process, CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", $"http://127.0.0.1:{process.Port}");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{process.Port}/ws/liveblog/launch-day/?after=0"), ct);
    }
}
