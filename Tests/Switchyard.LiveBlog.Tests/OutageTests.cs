using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// The live blog through Redis outages: posts made through two servers while Redis dies twice are all accepted (201, never 500; pending in the editor's list meanwhile), all rendered
/// by the worker process and all shown once on a page that reconnects as the page's script does; the database is the
/// truth.
/// </summary>
public sealed class OutageTests : ScaledOutTest
{
    private const string BlogSlug = "launch-day";

    [Fact]
    public async Task Every_post_made_across_two_Redis_outages_is_rendered_and_shown_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var worker = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--worker-only", "true"]);
        await using var first = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--no-worker", "true"]);
        await using var second = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--no-worker", "true"]);
        await first.LoginAsync(ct);
        await second.LoginAsync(ct);
        await using var page = new ReconnectingPage(second, BlogSlug);
        page.Start(ct);

        var published = new List<long>();
        await PublishAsync(published, first, second, 5, ct);

        // A short outage: posts made while Redis is down wait in the outbox (the editor sees them pending).
        await Redis.KillAsync();
        var during = await PublishAsync(published, first, second, 10, ct);
        var pending = await first.Http.GetFromJsonAsync<JsonElement[]>($"/api/blogs/{BlogSlug}/posts", ct);
        Assert.Contains(pending!, p => during.Contains(p.GetProperty("id").GetInt64()) && p.GetProperty("html").ValueKind == JsonValueKind.Null);
        await Redis.RestartAsync();
        await PublishAsync(published, first, second, 5, ct);

        // A second outage, noticed by every process (their health checks say so) before Redis comes back.
        await Redis.KillAsync();
        await PublishAsync(published, first, second, 10, ct);
        foreach (var process in new[] { first, second, worker })
        {
            await WaitUntilUnhealthyAsync(process, ct);
        }

        await Redis.RestartAsync();
        await PublishAsync(published, first, second, 5, ct);

        // Every post reaches the page rendered; the page shows each once (it keeps the newest change of each post).
        var shown = await page.WaitForAsync(published, TimeSpan.FromSeconds(60), ct, () => $"the worker's log:\n{worker.Output}\nthe first server's log:\n{first.Output}");
        Assert.Equal(published.Order(), shown.Keys.Order());
        Assert.All(published, id => Assert.Contains("<em>post ", shown[id], StringComparison.Ordinal));

        // The database agrees: each post stored once, nothing waiting to be rendered.
        var posts = await first.Http.GetFromJsonAsync<JsonElement[]>($"/api/blogs/{BlogSlug}/posts", ct);
        Assert.NotNull(posts);
        Assert.Equal(published.Count, posts.Length);
        Assert.All(posts, p => Assert.Equal(JsonValueKind.String, p.GetProperty("html").ValueKind));
        Assert.False(worker.HasExited, worker.Output);
    }

    // Polls /healthz (every 100 ms, for 30 s at most) until the process reports the layer unhealthy (503).
    private static async Task WaitUntilUnhealthyAsync(LiveBlogProcess process, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                using (var response = await process.Http.GetAsync("/healthz", timeout.Token))
                {
                    if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
                    {
                        return;
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"/healthz did not report the outage within 30 s; the process's log:\n{process.Output}");
        }
    }

    // Publishes through both servers in turn; the editor's request is answered from the database alone, so an outage
    // never fails it (PublishAsync asserts 201).
    private static async Task<long[]> PublishAsync(List<long> published, LiveBlogProcess first, LiveBlogProcess second, int count, CancellationToken ct)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            var n = published.Count;
            var post = await (n % 2 == 0 ? first : second).PublishAsync(BlogSlug, $"Post {n}", $"Body of *post {n}*.", ct);
            published.Add(ids[i] = post.GetProperty("id").GetInt64());
        }

        return ids;
    }

    /// <summary>
    /// A blog page as the page's script behaves: it keeps the newest change of each post, and when its socket closes it
    /// reconnects asking for what came after the last change it saw.
    /// </summary>
    private sealed class ReconnectingPage(LiveBlogProcess server, string blog) : IAsyncDisposable
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<long, (long Seq, string Html)> _posts = [];
        private readonly CancellationTokenSource _stop = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _loop = Task.CompletedTask;
        private long _after;

        public void Start(CancellationToken ct)
        {
            var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
            _loop = Task.Run(() => RunAsync(linked.Token), CancellationToken.None);
        }

        /// <summary>Waits until every post in <paramref name="ids"/> is shown rendered; returns what the page shows.</summary>
        public async Task<Dictionary<long, string>> WaitForAsync(IReadOnlyCollection<long> ids, TimeSpan within, CancellationToken ct, Func<string> moreLogs)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(within);
            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    if (ids.All(id => _posts.TryGetValue(id, out var p) && p.Html.Length > 0))
                    {
                        return _posts.ToDictionary(p => p.Key, p => p.Value.Html);
                    }

                    changed = _changed.Task;
                }

                try
                {
                    await changed.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    lock (_lock)
                    {
                        var missing = ids.Where(id => !_posts.TryGetValue(id, out var p) || p.Html.Length == 0);
                        Assert.Fail($"Within {within.TotalSeconds} s the page did not show posts {string.Join(", ", missing)}; the page's server's log:\n{server.Output}\n{moreLogs()}");
                    }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            _stop.Dispose();
        }

        private async Task RunAsync(CancellationToken ct)
        {
            var buffer = new byte[64 * 1024];
            while (!ct.IsCancellationRequested)
            {
                ClientWebSocket socket;
                try
                {
                    long after;
                    lock (_lock)
                    {
                        after = _after;
                    }

                    socket = await server.ConnectAsync(blog, after, ct);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // The server refused for now (its layer is away): the page's script tries again after a pause.
                    await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
                    continue;
                }

                using (socket)
                {
                    try
                    {
                        while (true)
                        {
                            var result = await socket.ReceiveAsync(buffer, ct);
                            if (result.MessageType == WebSocketMessageType.Close)
                            {
                                break;
                            }

                            Apply(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement);
                        }
                    }
                    catch (WebSocketException)
                    {
                        // Closed under it: reconnect, as the page does.
                    }
                }
            }
        }

        private void Apply(JsonElement change)
        {
            if (change.GetProperty("type").GetString() != "liveblog.post")
            {
                return;
            }

            var id = change.GetProperty("id").GetInt64();
            var seq = change.GetProperty("seq").GetInt64();
            TaskCompletionSource changed;
            lock (_lock)
            {
                _after = Math.Max(_after, seq);
                if (_posts.TryGetValue(id, out var known) && known.Seq >= seq)
                {
                    return;
                }

                _posts[id] = (seq, change.GetProperty("html").GetString() ?? string.Empty);
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }
}
