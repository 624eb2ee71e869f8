using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>
/// A new user's first hour with <c>dotnet new switchyard</c> (Templates/Switchyard.Templates), with no manual fix at
/// any step: install the template package from the packed feed, create an app, add a consumer of one's own, build
/// without a warning, pass the created tests, run the app and talk to both consumers and the page, stop it.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class TemplateTests(PackedFeed feed) : IDisposable
{
    // A loaded two-core machine restores, builds and starts far faster than this; these only bound a hang.
    private static readonly TimeSpan StartWithin = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(60);

    private readonly ScratchDirectory _scratch = new("template");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Template => Path.Combine(PackedFeed.RepositoryRoot, "Templates", "Switchyard.Templates", "content");

    private string Work => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_new_app_builds_without_warnings_passes_its_tests_serves_its_page_and_both_consumers_and_exits_0_on_SIGTERM()
    {
        var hive = Path.Combine(Work, "dotnet-new-hive");
        var app = Path.Combine(Work, "Chat");

        // The template into a private hive (--debug:custom-hive), so the user's own `dotnet new` state is untouched.
        var install = await Dotnet.RunAsync(Work, ["new", "install", feed.PackagePath("Switchyard.Templates"), "--debug:custom-hive", hive]);
        Assert.True(install.ExitCode == 0, install.Output);
        var create = await Dotnet.RunAsync(Work, ["new", "switchyard", "-n", "Chat", "-o", app, "--no-update-check", "--debug:custom-hive", hive]);
        Assert.True(create.ExitCode == 0, create.Output);

        // -n Chat named the projects, their folders, the solution and the namespaces; the packages are this pack's.
        Assert.True(File.Exists(Path.Combine(app, "Chat.slnx")), create.Output);
        Assert.True(File.Exists(Path.Combine(app, ".gitignore")), create.Output);
        Assert.Contains("namespace Chat;", await File.ReadAllTextAsync(Path.Combine(app, "Chat", "ChatConsumer.cs"), Ct), StringComparison.Ordinal);
        Assert.Contains($"<PackageReference Include=\"Switchyard.AspNetCore\" Version=\"{feed.Version}\" />", await File.ReadAllTextAsync(Path.Combine(app, "Chat", "Chat.csproj"), Ct), StringComparison.Ordinal);
        Assert.Contains($"<PackageReference Include=\"Switchyard.Testing\" Version=\"{feed.Version}\" />", await File.ReadAllTextAsync(Path.Combine(app, "Chat.Tests", "Chat.Tests.csproj"), Ct), StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(app, "*", SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(file, Ct);
            Assert.False(text.Contains("SwitchyardApp", StringComparison.Ordinal) || text.Contains("SWITCHYARD_", StringComparison.Ordinal), $"{file} still has a template token:\n{text}");
        }

        // The user's additions: the local feed (README, "Start a new app") and a consumer of their own, which needs
        // nothing but its file (the generator routes it).
        await feed.WriteNuGetConfigAsync(app);
        await File.WriteAllTextAsync(Path.Combine(app, "Chat", "EchoConsumer.cs"), """
            namespace Chat;

            [Message("echo")]
            public sealed partial record Echo(string Text);

            [WebSocketConsumer("/ws/echo/")]
            public sealed partial class EchoConsumer : JsonWebSocketConsumer
            {
                [FromClient]
                public ValueTask<Echo> Handle(Echo echo, CancellationToken ct) => ValueTask.FromResult(echo with { Text = $"echo: {echo.Text}" });
            }
            """, Ct);

        // Restored from the feed and the registry into a NuGet cache of this test's own, so nothing an earlier run
        // cached is used.
        var nuget = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Work, "nuget-packages") };
        var build = await Dotnet.RunAsync(app, ["build", "-nologo"], nuget);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(AppClient.BuiltWithoutWarnings(build.Output), build.Output);

        var test = await Dotnet.RunAsync(app, ["test", "--no-build"], nuget);
        Assert.True(test.ExitCode == 0, test.Output);
        Assert.True(TestsPassed().IsMatch(test.Output), test.Output);

        var port = ChildProcess.FreePort();
        await using var running = await AppClient.RunAsync(
            app, ["--project", "Chat", "--no-build"], new Dictionary<string, string>(nuget) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }, StartWithin);

        // The template's consumer: a line said in a room reaches everyone in it.
        using var alice = await AppClient.ConnectAsync(port, "/ws/chat/lobby/");
        using var bob = await AppClient.ConnectAsync(port, "/ws/chat/lobby/");
        await AppClient.SendAsync(alice, """{"type":"chat.say","text":"hello"}""");
        foreach (var member in new[] { bob, alice })
        {
            var line = await AppClient.ReceiveAsync(member, running);
            Assert.Equal("chat.message", line.GetProperty("type").GetString());
            Assert.Equal("lobby", line.GetProperty("room").GetString());
            Assert.Equal("hello", line.GetProperty("text").GetString());
        }

        // The consumer the user added.
        using var echo = await AppClient.ConnectAsync(port, "/ws/echo/");
        await AppClient.SendAsync(echo, """{"type":"echo","text":"ping"}""");
        var echoed = await AppClient.ReceiveAsync(echo, running);
        Assert.Equal("echo", echoed.GetProperty("type").GetString());
        Assert.Equal("echo: ping", echoed.GetProperty("text").GetString());

        // The page.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = AppClient.ReceiveWithin };
        using var page = await http.GetAsync(new Uri("/", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("/ws/chat/", html, StringComparison.Ordinal);
        Assert.Contains("\"chat.say\"", html, StringComparison.Ordinal);

        // Stopped as a service is stopped, with the browsers still connected.
        var exitCode = await running.TerminateAsync(ExitWithin);
        Assert.True(exitCode == 0, $"The app exited {exitCode} on SIGTERM:\n{running.Output}");
    }

    [Fact]
    public void The_created_test_project_uses_the_repository_s_test_package_versions()
    {
        var central = XDocument.Load(Path.Combine(PackedFeed.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion").ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        var references = Directory.EnumerateFiles(Template, "*.csproj", SearchOption.AllDirectories)
            .SelectMany(p => XDocument.Load(p).Descendants("PackageReference"))
            .Select(r => (Id: (string)r.Attribute("Include")!, Version: (string)r.Attribute("Version")!))
            .Where(r => !r.Id.StartsWith("Switchyard", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(references, r => r.Id == "xunit.v3");
        Assert.All(references, r => Assert.True(central.TryGetValue(r.Id, out var version) && version == r.Version,
            $"The template references {r.Id} {r.Version}; Directory.Packages.props has {(central.TryGetValue(r.Id, out var v) ? v : "no version of it")}."));
    }

    // The test run's summary, at least one test passed and none failed: "Passed!  - Failed:     0, Passed:     1, ...".
    [GeneratedRegex(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+[1-9]")]
    private static partial Regex TestsPassed();
}
