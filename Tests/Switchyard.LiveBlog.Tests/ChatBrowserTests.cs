using Microsoft.Playwright;
using Switchyard.LiveBlog.Tests.Support;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// The chat page (Client/chat.ts with @switchyard/client, served as chat.js) in a real browser — Debian's headless
/// chromium driven by Playwright — against the chat sample as a process: a line said on one page appears on another,
/// a refused line is shown as such, the page reconnects to a restarted process, and a page whose connection drops
/// gets the lines said meanwhile once each, in order, when it comes back.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatBrowserTests
{
    private static readonly PageWaitForSelectorOptions Within10s = new() { Timeout = 10_000 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_line_said_on_one_page_appears_on_another_and_a_refused_line_is_shown_as_not_sent()
    {
        var port = ChildProcess.FreePort();
        await using var chat = await StartChatAsync(port);
        await using var browser = await BrowserSession.StartAsync();
        var room = Room();
        var ada = await browser.JoinAsync(port, room, "ada");
        var bob = await browser.JoinAsync(port, room, "bob");

        await SayAsync(ada, "hello from ada");
        await bob.WaitForSelectorAsync("#log .said:text-is('ada: hello from ada')", Within10s);

        // Too long: the server refuses the request and the speaker's page says so; the connection stays open.
        await SayAsync(ada, new string('x', 501));
        var error = await ada.WaitForSelectorAsync("#log .error", Within10s);
        Assert.Contains("1 to 500 characters", await error!.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("open", await ada.GetAttributeAsync("#status", "data-state"));

        // The refused line never reached the room: the next line follows the first on the other page.
        await SayAsync(ada, "still here");
        await bob.WaitForSelectorAsync("#log .said:text-is('ada: still here')", Within10s);
        Assert.Equal(["ada: hello from ada", "ada: still here"], await Said(bob));
        Assert.Equal(["ada: hello from ada", "ada: still here"], await Said(ada));
        await browser.ScreenshotAsync(ada, "chat-browser.png");
    }

    [Fact]
    public async Task The_page_shows_reconnecting_while_the_chat_process_is_down_and_is_connected_again_after_it_restarts()
    {
        var port = ChildProcess.FreePort();
        var chat = await StartChatAsync(port);
        try
        {
            await using var browser = await BrowserSession.StartAsync();
            var room = Room();
            var ada = await browser.JoinAsync(port, room, "ada");
            await SayAsync(ada, "before the restart");
            await ada.WaitForSelectorAsync("#log .said:text-is('ada: before the restart')", Within10s);

            // Killed (SIGKILL, as a crash): the page says it is reconnecting and cannot send.
            await chat.KillAsync();
            await ada.WaitForSelectorAsync("#status[data-state=reconnecting]", Within10s);
            Assert.Equal("reconnecting", await ada.TextContentAsync("#status"));
            Assert.True(await ada.IsDisabledAsync("#say input[name=text]"));

            // Back on the same port: the page reconnects by itself (its backoff), and a line said after the restart
            // by a page that joins now arrives.
            await chat.DisposeAsync();
            chat = await StartChatAsync(port);
            await ada.WaitForSelectorAsync("#status[data-state=open]", new() { Timeout = 20_000 });
            Assert.Equal("connected", await ada.TextContentAsync("#status"));
            var bob = await browser.JoinAsync(port, room, "bob");
            await SayAsync(bob, "after the restart");
            await ada.WaitForSelectorAsync("#log .said:text-is('bob: after the restart')", Within10s);
            Assert.Equal(["ada: before the restart", "bob: after the restart"], await Said(ada));
        }
        finally
        {
            await chat.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_page_whose_connection_drops_gets_the_lines_said_meanwhile_once_each_in_order_when_it_is_back()
    {
        var port = ChildProcess.FreePort();
        await using var chat = await StartChatAsync(port);
        await using var gate = new TcpGate(port);
        await using var browser = await BrowserSession.StartAsync();
        var room = Room();

        // Ada's page goes through the gate; Bob's does not.
        var ada = await browser.JoinAsync(gate.Port, room, "ada");
        var bob = await browser.JoinAsync(port, room, "bob");
        await SayAsync(bob, "line 0");
        await ada.WaitForSelectorAsync("#log .said:text-is('bob: line 0')", Within10s);

        // Ada's connection drops and her reconnects are held: she is away while Bob says five lines (all of them in
        // the room's history once Bob sees the last).
        gate.CloseAndHold();
        await ada.WaitForSelectorAsync("#status[data-state=reconnecting]", Within10s);
        string[] missed = ["line 1", "line 2", "line 3", "line 4", "line 5"];
        foreach (var text in missed)
        {
            await SayAsync(bob, text);
        }

        await bob.WaitForSelectorAsync("#log .said:text-is('bob: line 5')", Within10s);
        Assert.Equal(["bob: line 0"], await Said(ada));

        // Back: the page resumes from its last position; the server replays the five lines, then live ones follow.
        gate.Release();
        await ada.WaitForSelectorAsync("#status[data-state=open]", new() { Timeout = 20_000 });
        var back = await ada.WaitForSelectorAsync("#log .status:has-text('back:')", Within10s);
        Assert.EndsWith("missed line(s) above", await back!.TextContentAsync(), StringComparison.Ordinal); // recovered, not lost
        await SayAsync(bob, "line 6");
        await ada.WaitForSelectorAsync("#log .said:text-is('bob: line 6')", Within10s);
        Assert.Equal(["bob: line 0", "bob: line 1", "bob: line 2", "bob: line 3", "bob: line 4", "bob: line 5", "bob: line 6"], await Said(ada));
    }

    private static Task<ChildProcess> StartChatAsync(int port)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var chat = Path.Combine(LiveBlogProcess.RepositoryRoot(), "Samples", "Chat", "bin", configuration, "net10.0", "Chat.dll");
        return ChildProcess.StartAsync("dotnet", [chat, "--urls", $"http://127.0.0.1:{port}"], "Chat is running on", TimeSpan.FromSeconds(30));
    }

    // A room of its own per test.
    private static string Room() => "r" + Guid.NewGuid().ToString("N")[..12];

    private static async Task SayAsync(IPage page, string text)
    {
        await page.FillAsync("#say input[name=text]", text);
        await page.ClickAsync("#say button");
    }

    private static async Task<string[]> Said(IPage page) => [.. await page.Locator("#log .said").AllTextContentsAsync()];

    /// <summary>One headless chromium with a page per member; failed pages' console errors end up in the test output.</summary>
    private sealed class BrowserSession : IAsyncDisposable
    {
        private readonly IPlaywright _playwright;
        private readonly IBrowser _browser;

        private BrowserSession(IPlaywright playwright, IBrowser browser)
        {
            _playwright = playwright;
            _browser = browser;
        }

        public static async Task<BrowserSession> StartAsync()
        {
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = BrowserTests.Chromium(),
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            return new BrowserSession(playwright, browser);
        }

        /// <summary>Opens the chat page (in its own browser context), joins the room as the user and waits until connected.</summary>
        public async Task<IPage> JoinAsync(int port, string room, string name)
        {
            var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 800, Height = 700 } });
            var page = await context.NewPageAsync();
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    TestContext.Current.SendDiagnosticMessage($"{name}'s page: {message.Text}");
                }
            };
            await page.GotoAsync($"http://127.0.0.1:{port}/");
            await page.FillAsync("#join input[name=room]", room);
            await page.FillAsync("#join input[name=name]", name);
            await page.ClickAsync("#join button");
            await page.WaitForSelectorAsync("#status[data-state=open]", Within10s);
            await page.WaitForSelectorAsync($"#here:has-text('{name}')", Within10s);
            return page;
        }

        public async Task ScreenshotAsync(IPage page, string file)
        {
            var screenshot = await page.ScreenshotAsync(new() { FullPage = true });
            await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, file), screenshot, Ct);
            TestContext.Current.AddAttachment(file, screenshot, "image/png");
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
