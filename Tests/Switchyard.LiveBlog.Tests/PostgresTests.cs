using System.Net;
using System.Net.Http.Json;
using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>The live blog on PostgreSQL (Npgsql) instead of the embedded SQLite, by configuration.</summary>
public sealed class PostgresTests
{
    [Fact]
    public async Task On_postgres_posts_are_stored_rendered_live_edited_deleted_and_caught_up()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var postgres = await PostgresServer.StartAsync();
        await using var blog = await LiveBlogProcess.StartAsync(
            "unused.db",
            ["--LiveBlog:Database", "postgres", "--ConnectionStrings:LiveBlog", postgres.ConnectionString]);
        await blog.LoginAsync(ct);
        using var page = await blog.ConnectAsync("launch-day", 0, ct);

        var id = (await blog.PublishAsync("launch-day", "On Postgres", "Stored in *PostgreSQL*.", ct)).GetProperty("id").GetInt64();
        var published = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(2), ct);
        Assert.Equal("<p>Stored in <em>PostgreSQL</em>.</p>", published.GetProperty("html").GetString());

        using (var edit = await blog.Http.PutAsJsonAsync($"/api/posts/{id}", new { title = "On Postgres, edited", body = "Still *there*." }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        }

        var edited = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("title").GetString() == "On Postgres, edited", TimeSpan.FromSeconds(2), ct);
        using (var delete = await blog.Http.DeleteAsync($"/api/posts/{id}", ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        // A page that saw the edit and reconnects learns of the deletion.
        using var reconnected = await blog.ConnectAsync("launch-day", edited.GetProperty("seq").GetInt64(), ct);
        var deleted = await LiveBlogProcess.ReceiveUntilAsync(reconnected, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(2), ct);
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.DoesNotContain($"id=\"post-{id}\"", await blog.Http.GetStringAsync("/blogs/launch-day", ct), StringComparison.Ordinal);
    }
}
