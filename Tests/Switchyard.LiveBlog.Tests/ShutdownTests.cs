using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// SIGTERM, as systemd, Docker and Kubernetes stop a service: every shape of live-blog process drains and exits 0 well
/// within its drain timeout, on the in-memory, the Redis and the IPC layer, with a page connected and after a Redis
/// outage.
/// </summary>
public sealed class ShutdownTests : ScaledOutTest
{
    // The consumers' drain timeout is 10 s and the host's shutdown timeout 30 s; an idle process needs far less.
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(20);

    public static TheoryData<string, string> Shapes => new()
    {
        { "server with its worker", "in-memory" },
        { "server with its worker", "redis" },
        { "server without a worker", "redis" },
        { "worker only", "redis" },
        { "server with its worker", "ipc" },
        { "server without a worker", "ipc" },
        { "worker only", "ipc" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task A_process_exits_0_on_SIGTERM(string shape, string layer)
    {
        await using var process = await StartAsync(shape, layer);
        using var page = await ConnectPageAsync(process, shape);

        var exitCode = await process.TerminateAsync(ExitWithin);

        Assert.True(exitCode == 0, $"The {shape} ({layer}) exited {exitCode}; its output:\n{process.Output}");
    }

    [Theory]
    [InlineData("server with its worker")]
    [InlineData("server without a worker")]
    [InlineData("worker only")]
    public async Task A_process_on_Redis_exits_0_on_SIGTERM_while_Redis_is_down(string shape)
    {
        await using var process = await StartAsync(shape, "redis");
        using var page = await ConnectPageAsync(process, shape);
        await Redis.KillAsync();

        var exitCode = await process.TerminateAsync(ExitWithin);

        Assert.True(exitCode == 0, $"The {shape} exited {exitCode} with Redis down; its output:\n{process.Output}");
    }

    private Task<LiveBlogProcess> StartAsync(string shape, string layer)
    {
        string[] options = shape switch
        {
            "server with its worker" => [],
            "server without a worker" => ["--no-worker", "true"],
            "worker only" => ["--worker-only", "true"],
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
        };
        string[] shared = layer switch
        {
            "redis" => OnRedis,
            "ipc" => OnIpc,
            _ => [],
        };
        return LiveBlogProcess.StartAsync(Database, [.. shared, .. options]);
    }

    private static async Task<IDisposable?> ConnectPageAsync(LiveBlogProcess process, string shape) =>
        shape == "worker only" ? null : await process.ConnectAsync("launch-day", 0, TestContext.Current.CancellationToken);
}
