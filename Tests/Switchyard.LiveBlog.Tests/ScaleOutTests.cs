using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>The scale-out configuration: two live-blog servers and one worker process sharing a Redis, or an IPC namespace (and a database).</summary>
public sealed class ScaleOutTests : ScaledOutTest
{
    [Fact]
    public async Task A_post_made_through_one_server_appears_on_a_page_connected_to_the_other_rendered_by_the_worker_process()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var worker = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--worker-only", "true"]);
        await using var first = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--no-worker", "true"]);
        await using var second = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--no-worker", "true"]);
        using var page = await second.ConnectAsync("launch-day", 0, ct);

        await first.LoginAsync(ct);
        var id = (await first.PublishAsync("launch-day", "From server one", "Seen on server *two*.", ct)).GetProperty("id").GetInt64();

        var change = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(5), ct);
        Assert.Equal("<p>Seen on server <em>two</em>.</p>", change.GetProperty("html").GetString());
        Assert.False(worker.HasExited);
    }

    // The same without Redis: the three processes share the IPC layer's namespace (issue 14).
    [Fact]
    public async Task A_post_made_through_one_server_appears_on_a_page_connected_to_the_other_rendered_by_the_worker_process_on_ipc()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var worker = await LiveBlogProcess.StartAsync(Database, [.. OnIpc, "--worker-only", "true"]);
        await using var first = await LiveBlogProcess.StartAsync(Database, [.. OnIpc, "--no-worker", "true"]);
        await using var second = await LiveBlogProcess.StartAsync(Database, [.. OnIpc, "--no-worker", "true"]);
        using var page = await second.ConnectAsync("launch-day", 0, ct);

        await first.LoginAsync(ct);
        var id = (await first.PublishAsync("launch-day", "From server one", "Seen on server *two*.", ct)).GetProperty("id").GetInt64();

        var change = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(5), ct);
        Assert.Equal("<p>Seen on server <em>two</em>.</p>", change.GetProperty("html").GetString());
        Assert.False(worker.HasExited);
    }
}
