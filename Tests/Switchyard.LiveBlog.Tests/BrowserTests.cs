using Microsoft.Playwright;
using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// A real browser (Debian's headless chromium, driven by Playwright; no browser is downloaded) on a blog page: a post
/// made through the editor API appears within 2 s; when the server its page is connected to is killed and restarted,
/// a post made meanwhile (through the other server) appears after the page reconnects.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTests : ScaledOutTest
{
    [Fact]
    public async Task A_blog_page_shows_new_posts_live_and_catches_up_after_its_server_restarts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var editorSide = await LiveBlogProcess.StartAsync(Database, OnRedis);
        var pageSide = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--no-worker", "true"]);
        var pagePort = pageSide.Port;
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium(),
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1000, Height = 800 } });
            await page.GotoAsync($"http://127.0.0.1:{pagePort}/blogs/launch-day");
            await page.WaitForSelectorAsync("#status.on", new() { Timeout = 5_000 });

            await editorSide.LoginAsync(ct);
            var first = (await editorSide.PublishAsync("launch-day", "Doors open", "The **keynote** starts at ten.", ct)).GetProperty("id").GetInt64();
            await page.WaitForSelectorAsync($"#post-{first} strong", new() { Timeout = 2_000 });

            // The page's server goes away; the page shows it is reconnecting; a post is made meanwhile elsewhere.
            await pageSide.DisposeAsync();
            await page.WaitForSelectorAsync("#status:not(.on)", new() { Timeout = 5_000 });
            var missed = (await editorSide.PublishAsync("launch-day", "While you were away", "Published during the *outage*.", ct)).GetProperty("id").GetInt64();
            pageSide = await LiveBlogProcess.StartAsync(Database, [.. OnRedis, "--no-worker", "true", "--urls", $"http://127.0.0.1:{pagePort}"]);

            await page.WaitForSelectorAsync($"#post-{missed} em", new() { Timeout = 15_000 });
            await page.WaitForSelectorAsync("#status.on", new() { Timeout = 5_000 });
            Assert.Equal(["While you were away", "Doors open"], await page.Locator("article h2").AllTextContentsAsync());

            var screenshot = await page.ScreenshotAsync(new() { FullPage = true });
            await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "liveblog-browser.png"), screenshot, ct);
            TestContext.Current.AddAttachment("liveblog-browser.png", screenshot, "image/png");
        }
        finally
        {
            await pageSide.DisposeAsync();
        }
    }

    internal static string Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed; ./test.sh installs it (apt-get install -y chromium).");
}
