using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Switchyard.Client.BrowserTests.Support;

/// <summary>
/// The test server's page (Tests/Switchyard.Client.TestServer/TestPage.html), loaded for one test: the client is
/// driven through <c>window.harness</c>, and the test waits on the page's state, never on a clock. Disposing it leaves
/// the page for about:blank, which closes the client's socket.
/// </summary>
internal sealed class TestPage : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _console = new();

    private TestPage(IPage page)
    {
        Page = page;
        page.PageError += OnPageError;
        page.Console += OnConsole;
    }

    public IPage Page { get; }

    /// <summary>Gets the page's uncaught errors so far (a listener that threw, a failed module load).</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public static async Task<TestPage> OpenAsync(IPage browserPage, ClientTestServer server)
    {
        var page = new TestPage(browserPage);
        await page.Page.GotoAsync(server.Url);
        // The module sets the title once window.harness exists (after /client/index.js and its imports loaded).
        await page.WaitForAsync("document.title === 'ready'", "the test page to load the client", 5_000);
        return page;
    }

    /// <summary>Connects the page's client to <paramref name="path"/> and waits until it is open.</summary>
    public async Task ConnectAsync(string path)
    {
        await Page.EvaluateAsync("path => window.harness.open(path)", path);
        await WaitForAsync("window.harness.state() === 'open'", $"the client to open {path}", 5_000);
    }

    /// <summary>Runs <paramref name="expression"/> (a function of <paramref name="argument"/>) on the page and returns its result as JSON.</summary>
    public Task<JsonElement> EvaluateAsync(string expression, object? argument = null) =>
        Page.EvaluateAsync<JsonElement>(expression, argument);

    /// <summary>
    /// Sends a request from the page with the client's <c>timeout</c> option (5 s unless given); the result is
    /// <c>{ok, reply}</c> or <c>{ok: false, kind, message}</c>.
    /// </summary>
    public Task<JsonElement> RequestAsync(object message, int timeout = 5_000) =>
        EvaluateAsync("([message, timeout]) => window.harness.request(message, { timeout })", new object[] { message, timeout });

    /// <summary>Waits until <paramref name="condition"/> (JavaScript) is true on the page; fails saying what did not happen.</summary>
    public async Task WaitForAsync(string condition, string what, float timeoutMs)
    {
        try
        {
            await Page.WaitForFunctionAsync(condition, null, new() { Timeout = timeoutMs, PollingInterval = 20 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Waited {timeoutMs} ms for {what} ({condition}). {await DescribeAsync()}");
        }
    }

    /// <summary>The page's client state, states, sockets and errors, for a failure message.</summary>
    public async Task<string> DescribeAsync()
    {
        string state;
        try
        {
            state = await Page.EvaluateAsync<string>("JSON.stringify({ state: window.harness?.state(), states: window.harness?.states, sockets: window.harness?.sockets?.map(s => ({ url: s.url, protocol: s.protocol, frames: s.frames.length })), received: window.harness?.received.length })");
        }
        catch (PlaywrightException ex)
        {
            state = $"(the page could not say: {ex.Message})";
        }

        return $"Page: {state}\nErrors: {string.Join("\n", _errors)}\nConsole: {string.Join("\n", _console.TakeLast(20))}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Page.GotoAsync("about:blank");
        }
        finally
        {
            Page.PageError -= OnPageError;
            Page.Console -= OnConsole;
        }
    }

    private void OnPageError(object? sender, string error) => _errors.Enqueue(error);

    private void OnConsole(object? sender, IConsoleMessage message) => _console.Enqueue($"{message.Type}: {message.Text}");
}
