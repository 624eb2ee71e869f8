using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>The scale-out configuration: two live-blog servers and one worker process sharing a Redis, or an IPC namespace (and a database).</summary>
public sealed class ScaleOutTests : ScaledOutTest
{
    // On Redis, and without Redis on the IPC layer's namespace (issue 14).
    [Theory]
    [InlineData("redis")]
    [InlineData("ipc")]
    public async Task A_post_made_through_one_server_appears_on_a_page_connected_to_the_other_rendered_by_the_worker_process(string layer)
    {
        var ct = TestContext.Current.CancellationToken;
        var shared = layer == "ipc" ? OnIpc : OnRedis;
        await using var worker = await LiveBlogProcess.StartAsync(Database, [.. shared, "--worker-only", "true"]);
        await using var first = await LiveBlogProcess.StartAsync(Database, [.. shared, "--no-worker", "true"]);
        await using var second = await LiveBlogProcess.StartAsync(Database, [.. shared, "--no-worker", "true"]);
        using var page = await second.ConnectAsync("launch-day", 0, ct);

        await first.LoginAsync(ct);
        var id = (await first.PublishAsync("launch-day", "From server one", "Seen on server *two*.", ct)).GetProperty("id").GetInt64();

        var change = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(5), ct);
        Assert.Equal("<p>Seen on server <em>two</em>.</p>", change.GetProperty("html").GetString());
        Assert.False(worker.HasExited);
    }
}
