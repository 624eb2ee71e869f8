using Microsoft.Playwright;
using Xunit;

namespace Switchyard.Client.BrowserTests.Support;

/// <summary>
/// What the tests of a class share: one headless Chromium (Debian's, driven by Playwright; no browser is downloaded)
/// and one client test server process. Each test opens its own browser context and page.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private ClientTestServer? _server;

    internal ClientTestServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async ValueTask InitializeAsync()
    {
        _server = await ClientTestServer.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>Opens a new page (in a context of its own) on <paramref name="server"/>'s test page.</summary>
    internal async Task<TestPage> OpenPageAsync(ClientTestServer server)
    {
        var context = await (_browser ?? throw new InvalidOperationException("The fixture is not initialised.")).NewContextAsync();
        return await TestPage.OpenAsync(context, server);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static string Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed; ./test.sh installs it (apt-get install -y chromium).");
}
