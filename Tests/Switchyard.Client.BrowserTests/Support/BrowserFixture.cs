using Microsoft.Playwright;
using Xunit;

namespace Switchyard.Client.BrowserTests.Support;

/// <summary>
/// What the tests of a class share: one headless Chromium (Debian's, driven by Playwright; no browser is downloaded)
/// with one page, and one client test server process. Each test loads the test page afresh in that page (a new
/// document: no state is left from the test before; reusing the page spares starting a renderer process per test).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IPage? _page;
    private ClientTestServer? _server;

    internal ClientTestServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async ValueTask InitializeAsync()
    {
        try
        {
            _server = await ClientTestServer.StartAsync();
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium(),
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            _page = await _browser.NewPageAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Loads <paramref name="server"/>'s test page in the browser's page.</summary>
    internal Task<TestPage> OpenPageAsync(ClientTestServer server) =>
        TestPage.OpenAsync(_page ?? throw new InvalidOperationException("The fixture is not initialised."), server);

    public async ValueTask DisposeAsync()
    {
        // Also called when InitializeAsync fails part way: each part is let go once.
        var (browser, playwright, server) = (_browser, _playwright, _server);
        (_page, _browser, _playwright, _server) = (null, null, null, null);
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    private static string Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed; ./test.sh installs it (apt-get install -y chromium).");
}
