using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>The live-blog sample over HTTP and WebSockets, as a browser and an editor use it.</summary>
public sealed class LiveBlogTests(LiveBlogServer server) : IClassFixture<LiveBlogServer>
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LiveBlogProcess Blog => server.Process;

    [Fact]
    public async Task Writes_without_a_login_get_401_and_the_editor_page_sends_to_the_login()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Blog.Http.BaseAddress };

        using var create = await anonymous.PostAsJsonAsync("/api/blogs/launch-day/posts", new { title = "t", body = "b" }, Ct);
        using var update = await anonymous.PutAsJsonAsync("/api/posts/1", new { title = "t", body = "b" }, Ct);
        using var delete = await anonymous.DeleteAsync("/api/posts/1", Ct);
        using var editor = await anonymous.GetAsync("/editor", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, update.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, editor.StatusCode);
        // A relative redirect: nothing of the request's Host header goes into it.
        Assert.StartsWith("/login?ReturnUrl=", editor.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_does_not_log_in()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Blog.Http.BaseAddress };

        using var response = await client.PostAsync("/login", new FormUrlEncodedContent([new("password", "guess")]), Ct);

        Assert.Equal("/login?failed=1", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_published_post_reaches_an_open_page_rendered_within_two_seconds_and_is_on_the_page_after()
    {
        await Blog.LoginAsync(Ct);
        using var page = await Blog.ConnectAsync("launch-day", await LatestSeqAsync("launch-day"), Ct);

        var created = await Blog.PublishAsync("launch-day", "Doors open", "The **keynote** starts at [ten](https://example.org).", Ct);
        var id = created.GetProperty("id").GetInt64();
        var live = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id, Live, Ct);

        Assert.Equal("Doors open", live.GetProperty("title").GetString());
        Assert.Equal("<p>The <strong>keynote</strong> starts at <a href=\"https://example.org\" rel=\"noopener\">ten</a>.</p>", live.GetProperty("html").GetString());
        var html = await Blog.Http.GetStringAsync("/blogs/launch-day", Ct);
        Assert.Contains($"id=\"post-{id}\"", html, StringComparison.Ordinal);
        Assert.Contains("<strong>keynote</strong>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_the_author_writes_is_escaped_not_run()
    {
        await Blog.LoginAsync(Ct);
        using var page = await Blog.ConnectAsync("launch-day", await LatestSeqAsync("launch-day"), Ct);

        var id = (await Blog.PublishAsync("launch-day", "<b>t</b>", "<script>alert(1)</script> [x](javascript:alert(1))", Ct)).GetProperty("id").GetInt64();
        var live = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id, Live, Ct);

        // Raw HTML is escaped; the javascript: link keeps its text and loses its link.
        Assert.Equal("<p>&lt;script&gt;alert(1)&lt;/script&gt; x</p>", live.GetProperty("html").GetString());
    }

    [Fact]
    public async Task Edits_and_deletions_reach_open_pages()
    {
        await Blog.LoginAsync(Ct);
        var id = (await Blog.PublishAsync("city-marathon", "Start", "Runners are off.", Ct)).GetProperty("id").GetInt64();
        using var page = await Blog.ConnectAsync("city-marathon", 0, Ct);
        var first = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(5), Ct);

        using (var edit = await Blog.Http.PutAsJsonAsync($"/api/posts/{id}", new { title = "Start (updated)", body = "Runners are off, 12,000 of them." }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        }

        var edited = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id && c.GetProperty("title").GetString() == "Start (updated)", Live, Ct);
        Assert.True(edited.GetProperty("seq").GetInt64() > first.GetProperty("seq").GetInt64());

        using (var delete = await Blog.Http.DeleteAsync($"/api/posts/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var deleted = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id && c.GetProperty("deleted").GetBoolean(), Live, Ct);
        Assert.True(deleted.GetProperty("seq").GetInt64() > edited.GetProperty("seq").GetInt64());
        Assert.DoesNotContain($"id=\"post-{id}\"", await Blog.Http.GetStringAsync("/blogs/city-marathon", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_reconnects_gets_every_change_it_missed_and_nothing_it_had()
    {
        await Blog.LoginAsync(Ct);
        var kept = (await Blog.PublishAsync("launch-day", "Before the drop", "Seen live.", Ct)).GetProperty("id").GetInt64();
        var lastSeen = await WaitForRenderedAsync("launch-day", kept);

        // The page is away: a post is published and an older one deleted meanwhile.
        var missed = (await Blog.PublishAsync("launch-day", "While away", "Published during the drop.", Ct)).GetProperty("id").GetInt64();
        using (var delete = await Blog.Http.DeleteAsync($"/api/posts/{kept}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        await WaitForRenderedAsync("launch-day", missed);
        using var page = await Blog.ConnectAsync("launch-day", lastSeen, Ct);
        var changes = new List<JsonElement>();
        while (changes.Count < 2)
        {
            changes.Add(await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("seq").GetInt64() > lastSeen, Live, Ct));
        }

        Assert.Contains(changes, c => c.GetProperty("id").GetInt64() == missed && !c.GetProperty("deleted").GetBoolean());
        Assert.Contains(changes, c => c.GetProperty("id").GetInt64() == kept && c.GetProperty("deleted").GetBoolean());
        Assert.All(changes, c => Assert.True(c.GetProperty("seq").GetInt64() > lastSeen));
    }

    [Fact]
    public async Task A_page_that_comes_back_with_its_position_gets_what_it_missed_from_the_layer_not_the_database()
    {
        await Blog.LoginAsync(Ct);
        var since = await PagePositionAsync("launch-day");
        Assert.Matches("^[0-9a-f]{16}:[0-9]+$", since);

        // Published after the page was rendered: in the blog group's history after the page's position.
        var missed = (await Blog.PublishAsync("launch-day", "After the page loaded", "From the history.", Ct)).GetProperty("id").GetInt64();
        await WaitForRenderedAsync("launch-day", missed);

        // After a change number beyond any: the database would send nothing, so what arrives comes from the layer,
        // as a forwarded frame with its own position.
        using var page = await Blog.ConnectAsync("launch-day", long.MaxValue / 2, Ct, since);
        var change = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == missed, Live, Ct);
        Assert.False(change.GetProperty("deleted").GetBoolean());
        Assert.StartsWith(since[..17], change.GetProperty("position").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_whose_position_the_layer_cannot_serve_catches_up_from_the_database()
    {
        await Blog.LoginAsync(Ct);
        var before = await LatestSeqAsync("launch-day");
        var published = (await Blog.PublishAsync("launch-day", "Caught up from the database", "Epoch changed.", Ct)).GetProperty("id").GetInt64();
        await WaitForRenderedAsync("launch-day", published);

        // A position of another epoch (a restarted layer): the database sends the changes after the page's number.
        using var page = await Blog.ConnectAsync("launch-day", before, Ct, "0000000000000000:1");
        var change = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == published, Live, Ct);
        Assert.False(change.TryGetProperty("position", out _), "A change from the database carries no position.");
    }

    [Fact]
    public async Task Bad_input_gets_a_400_naming_the_problem_and_unknown_blogs_and_posts_404()
    {
        await Blog.LoginAsync(Ct);

        using var empty = await Blog.Http.PostAsJsonAsync("/api/blogs/launch-day/posts", new { title = " ", body = "b" }, Ct);
        using var unknownBlog = await Blog.Http.PostAsJsonAsync("/api/blogs/no-such-blog/posts", new { title = "t", body = "b" }, Ct);
        using var unknownPost = await Blog.Http.DeleteAsync("/api/posts/999999", Ct);
        using var unknownPage = await Blog.Http.GetAsync("/blogs/no-such-blog", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("a title is required", await empty.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownBlog.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownPost.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownPage.StatusCode);
        await Assert.ThrowsAnyAsync<WebSocketException>(() => Blog.ConnectAsync("no-such-blog", 0, Ct));
    }

    // The newest change number the blog's page reflects (what a page loaded now would start from).
    private async Task<long> LatestSeqAsync(string blog)
    {
        var html = await Blog.Http.GetStringAsync($"/blogs/{blog}", Ct);
        var start = html.IndexOf("data-after=\"", StringComparison.Ordinal) + "data-after=\"".Length;
        return long.Parse(html[start..html.IndexOf('"', start)], System.Globalization.CultureInfo.InvariantCulture);
    }

    // The blog group's position a page loaded now starts from.
    private async Task<string> PagePositionAsync(string blog)
    {
        var html = await Blog.Http.GetStringAsync($"/blogs/{blog}", Ct);
        var start = html.IndexOf("data-since=\"", StringComparison.Ordinal) + "data-since=\"".Length;
        return html[start..html.IndexOf('"', start)];
    }

    // Waits (on a live page) until a post is rendered; returns its change number.
    private async Task<long> WaitForRenderedAsync(string blog, long id)
    {
        using var page = await Blog.ConnectAsync(blog, 0, Ct);
        var change = await LiveBlogProcess.ReceiveUntilAsync(page, c => c.GetProperty("id").GetInt64() == id, TimeSpan.FromSeconds(5), Ct);
        return change.GetProperty("seq").GetInt64();
    }
}
