using System.Text.Json;
using Switchyard.Client.BrowserTests.Support;
using Xunit;

namespace Switchyard.Client.BrowserTests;

/// <summary>
/// The TypeScript client (<c>@switchyard/client</c>, Clients/typescript/dist as built) in Debian's headless Chromium
/// against a real Switchyard server process (Tests/Switchyard.Client.TestServer): typed messages, requests and
/// replies, timeouts, refusals, server calls, batch frames, reconnecting to a restarted server, and resuming a group
/// without gaps or duplicates. Every wait is on the page's state or the server's output, bounded by a timeout.
/// </summary>
public sealed class TypeScriptClientBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private ClientTestServer Server => browser.Server;

    [Fact]
    public async Task A_typed_message_makes_the_round_trip_through_the_servers_generated_reader_and_writer()
    {
        await using var page = await browser.OpenPageAsync(Server);
        await page.ConnectAsync("/ws/test/");

        // Sent without the nullable field, with the enum in lower case and the date in another offset's form: what
        // comes back is what the typed record read, written again.
        await page.EvaluateAsync("""
            () => window.harness.send({
              type: "test.note", text: "h\u00e9llo \u2713 \"quoted\"\nnext line", count: 9007199254740991, ratio: 0.1, flag: true,
              tags: ["a", "", "c"], mood: "cheerful", detail: { label: "nested", scores: { one: 1, two: -2 } },
              at: "2026-12-03T09:15:30.5+02:00", extra: "skipped"
            })
            """);
        await page.WaitForAsync("window.harness.ofType('test.note').length === 1", "the note to come back", 5_000);

        var note = (await page.EvaluateAsync("() => window.harness.ofType('test.note')[0]"));
        Assert.Equal("h\u00e9llo \u2713 \"quoted\"\nnext line", note.GetProperty("text").GetString());
        Assert.Equal(9007199254740991, note.GetProperty("count").GetInt64());
        Assert.Equal(0.1, note.GetProperty("ratio").GetDouble());
        Assert.True(note.GetProperty("flag").GetBoolean());
        Assert.Equal(["a", "", "c"], note.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Cheerful", note.GetProperty("mood").GetString());
        Assert.Equal("nested", note.GetProperty("detail").GetProperty("label").GetString());
        Assert.Equal(-2, note.GetProperty("detail").GetProperty("scores").GetProperty("two").GetInt32());
        Assert.Equal(JsonValueKind.Null, note.GetProperty("missing").ValueKind);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 9, 15, 30, 500, TimeSpan.FromHours(2)), DateTimeOffset.Parse(note.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(note.TryGetProperty("extra", out _));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_request_resolves_with_the_reply_its_handler_returned()
    {
        await using var page = await browser.OpenPageAsync(Server);
        await page.ConnectAsync("/ws/test/");

        var first = await page.RequestAsync(new { type = "test.add", a = 2, b = 3 });
        var second = await page.RequestAsync(new { type = "test.add", a = -40, b = 2 });

        Assert.True(first.GetProperty("ok").GetBoolean(), first.ToString());
        Assert.Equal("test.sum", first.GetProperty("reply").GetProperty("type").GetString());
        Assert.Equal(5, first.GetProperty("reply").GetProperty("value").GetInt32());
        Assert.False(first.GetProperty("reply").TryGetProperty("$re", out _));
        Assert.Equal(-38, second.GetProperty("reply").GetProperty("value").GetInt32());
        // Replies go to the request, not to the message listeners.
        Assert.Equal(0, (await page.EvaluateAsync("() => window.harness.received.length")).GetInt32());
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_request_that_outlives_its_timeout_rejects_with_timeout_and_the_connection_stays_usable()
    {
        await using var page = await browser.OpenPageAsync(Server);
        await page.ConnectAsync("/ws/test/");
        var gate = $"slow.{Guid.NewGuid():N}";
        await Server.ShutAsync(gate, TestContext.Current.CancellationToken);

        var slow = await page.RequestAsync(new { type = "test.slow", key = gate[5..] }, timeout: 300);

        Assert.False(slow.GetProperty("ok").GetBoolean(), slow.ToString());
        Assert.Equal("timeout", slow.GetProperty("kind").GetString());
        Assert.Contains("test.slow", slow.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The handler still holds the connection's turn; once it replies (too late: the client drops that answer),
        // the next request is handled. Its reply comes after the late one on the same socket.
        await Server.OpenAsync(gate, TestContext.Current.CancellationToken);
        var after = await page.RequestAsync(new { type = "test.add", a = 20, b = 22 });

        Assert.True(after.GetProperty("ok").GetBoolean(), after.ToString());
        Assert.Equal(42, after.GetProperty("reply").GetProperty("value").GetInt32());
        Assert.Equal("open", (await page.EvaluateAsync("() => window.harness.state()")).GetString());
        Assert.Equal(0, (await page.EvaluateAsync("() => window.harness.received.length")).GetInt32());
        Assert.Equal(1, (await page.EvaluateAsync("() => window.harness.sockets.length")).GetInt32());
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_refused_request_rejects_with_the_servers_text_and_the_connection_stays_open()
    {
        await using var page = await browser.OpenPageAsync(Server);
        await page.ConnectAsync("/ws/test/");

        var refused = await page.RequestAsync(new { type = "test.refuse", why = "the room is closed" });
        var after = await page.RequestAsync(new { type = "test.add", a = 1, b = 1 });

        Assert.False(refused.GetProperty("ok").GetBoolean(), refused.ToString());
        Assert.Equal("refused", refused.GetProperty("kind").GetString());
        Assert.Equal("refused because the room is closed", refused.GetProperty("message").GetString());
        Assert.Equal(2, after.GetProperty("reply").GetProperty("value").GetInt32());
        Assert.Equal(1, (await page.EvaluateAsync("() => window.harness.sockets.length")).GetInt32());
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_server_call_is_answered_by_the_pages_handler()
    {
        await using var page = await browser.OpenPageAsync(Server);
        await page.ConnectAsync("/ws/test/");

        // The handler calls the page (InvokeClientAsync) and replies with what the page answered, as the server read it.
        var said = await page.RequestAsync(new { type = "test.ask_page", n = 21 });

        Assert.True(said.GetProperty("ok").GetBoolean(), said.ToString());
        Assert.Equal("test.page_said", said.GetProperty("reply").GetProperty("type").GetString());
        Assert.Equal(42, said.GetProperty("reply").GetProperty("value").GetInt32());
        Assert.Equal("page", said.GetProperty("reply").GetProperty("by").GetString());
        var calls = await page.EvaluateAsync("() => window.harness.calls");
        Assert.Equal(21, Assert.Single(calls.EnumerateArray()).GetProperty("n").GetInt32());
        // A server call goes to its handler only.
        Assert.Equal(0, (await page.EvaluateAsync("() => window.harness.received.length")).GetInt32());
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_burst_of_group_messages_arrives_complete_and_in_order_several_to_a_frame()
    {
        const int Count = 600;
        var ct = TestContext.Current.CancellationToken;
        await using var page = await browser.OpenPageAsync(Server);
        var feed = $"burst-{Guid.NewGuid():N}";
        await page.ConnectAsync($"/ws/feed/{feed}/");
        await page.WaitForAsync("window.harness.ofType('test.joined').length === 1", "the feed to be joined", 5_000);

        await Server.FeedAsync(feed, 1, Count, ct);
        await page.WaitForAsync($"window.harness.ofType('test.item').length >= {Count}", $"{Count} items", 15_000);

        var items = (await page.EvaluateAsync("() => window.harness.ofType('test.item')")).EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, Count), items.Select(i => i.GetProperty("seq").GetInt32()));
        var offsets = items.Select(i => long.Parse(i.GetProperty("position").GetString()!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), offsets);

        var socket = Assert.Single((await page.EvaluateAsync("() => window.harness.sockets")).EnumerateArray());
        Assert.Equal("switchyard.batch", socket.GetProperty("protocol").GetString());
        var frames = socket.GetProperty("frames").EnumerateArray().Select(f => f.GetInt32()).ToList();
        Assert.Equal(Count + 1, frames.Sum()); // the items and test.joined, each in exactly one frame
        Assert.True(frames.Max() > 1, $"Every one of the {frames.Count} frames held one message.");
        TestContext.Current.TestOutputHelper?.WriteLine($"{Count} items (and test.joined) came in {frames.Count} frames, at most {frames.Max()} to a frame.");
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task The_page_reconnects_after_its_server_is_killed_and_restarted_on_the_same_port()
    {
        // A server of its own: this one is killed.
        ClientTestServer? server = await ClientTestServer.StartAsync();
        var port = server.Port;
        try
        {
            await using var page = await browser.OpenPageAsync(server);
            await page.ConnectAsync("/ws/test/");
            Assert.Equal(3, (await page.RequestAsync(new { type = "test.add", a = 1, b = 2 })).GetProperty("reply").GetProperty("value").GetInt32());

            await server.KillAsync();
            await page.WaitForAsync("window.harness.state() === 'reconnecting'", "the client to notice its server is gone", 5_000);
            await server.DisposeAsync();
            server = null;
            server = await ClientTestServer.StartAsync(port);
            await page.WaitForAsync("window.harness.state() === 'open'", "the client to reconnect to the restarted server", 15_000);

            var after = await page.RequestAsync(new { type = "test.add", a = 40, b = 2 });
            Assert.True(after.GetProperty("ok").GetBoolean(), after.ToString());
            Assert.Equal(42, after.GetProperty("reply").GetProperty("value").GetInt32());

            // connecting → open → reconnecting (a drop without a close frame: 1006), perhaps again after a refused
            // attempt → open.
            var states = (await page.EvaluateAsync("() => window.harness.states")).EnumerateArray().Select(s => s.GetString()!).ToList();
            var names = states.Select(s => s.Split(' ')[0]).ToList();
            Assert.Equal(["connecting", "open", "reconnecting", "open"], names.Where((s, i) => i == 0 || s != names[i - 1]));
            Assert.Equal("reconnecting 1006 closed", states[2]);
            Assert.True((await page.EvaluateAsync("() => window.harness.sockets.length")).GetInt32() >= 2);
            Assert.Empty(page.Errors);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_page_closed_by_its_server_resumes_its_group_without_gaps_or_duplicates()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var page = await browser.OpenPageAsync(Server);
        var feed = $"resume-{Guid.NewGuid():N}";
        await page.ConnectAsync($"/ws/feed/{feed}/");
        await page.WaitForAsync("window.harness.ofType('test.joined').length === 1", "the feed to be joined", 5_000);
        await Server.FeedAsync(feed, 1, 5, ct);
        await page.WaitForAsync("window.harness.ofType('test.item').length === 5", "the first 5 items", 5_000);
        var lastSeen = (await page.EvaluateAsync("() => window.harness.position()")).GetString();

        // The server closes the page's socket with 1012 and holds its reconnect at a gate; 5 items are sent while the
        // page is away; then it is let in, with since= its last position.
        await Server.ShutAsync($"connect.{feed}", ct);
        await Server.KickAsync(feed, ct);
        await page.WaitForAsync("window.harness.state() === 'reconnecting'", "the client to see its socket closed", 5_000);
        await Server.FeedAsync(feed, 6, 5, ct);
        await Server.OpenAsync($"connect.{feed}", ct);
        await page.WaitForAsync("window.harness.state() === 'open' && window.harness.ofType('test.joined').length === 2", "the client to reconnect and join again", 10_000);
        await Server.FeedAsync(feed, 11, 3, ct);
        await page.WaitForAsync("window.harness.ofType('test.item').length >= 13", "13 items", 5_000);

        var items = (await page.EvaluateAsync("() => window.harness.ofType('test.item')")).EnumerateArray().Select(i => i.GetProperty("seq").GetInt32());
        Assert.Equal(Enumerable.Range(1, 13), items);
        var rejoined = (await page.EvaluateAsync("() => window.harness.ofType('test.joined')[1]"));
        Assert.Equal(lastSeen, rejoined.GetProperty("since").GetString());
        Assert.Equal(5, rejoined.GetProperty("replayed").GetInt32());
        Assert.Equal("None", rejoined.GetProperty("loss").GetString());
        var sockets = (await page.EvaluateAsync("() => window.harness.sockets")).EnumerateArray().Select(s => s.GetProperty("url").GetString()!).ToList();
        Assert.Equal(2, sockets.Count);
        Assert.DoesNotContain("since=", sockets[0], StringComparison.Ordinal);
        Assert.EndsWith($"?since={Uri.EscapeDataString(lastSeen!)}", sockets[1], StringComparison.Ordinal);
        Assert.Contains("reconnecting 1012 closed", (await page.EvaluateAsync("() => window.harness.states")).EnumerateArray().Select(s => s.GetString()));
        Assert.Empty(page.Errors);
    }
}
