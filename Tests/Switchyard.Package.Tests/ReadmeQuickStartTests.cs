using System.Text.RegularExpressions;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>
/// The README's quick start as a new user follows it, with nothing added: a <c>dotnet new web</c> project, the
/// <c>Switchyard.AspNetCore</c> package from the packed feed, the README's consumer pasted into a file of its own and
/// its <c>Program.cs</c> pasted over the template's; it builds without a warning, runs, and speaks the wire protocol
/// the README shows.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class ReadmeQuickStartTests(PackedFeed feed) : IDisposable
{
    private static readonly TimeSpan StartWithin = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(60);

    private readonly ScratchDirectory _scratch = new("readme");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Work => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task The_README_consumer_and_Program_cs_pasted_into_a_new_web_project_build_without_warnings_and_chat_as_the_README_says()
    {
        var readme = (await File.ReadAllTextAsync(Path.Combine(PackedFeed.RepositoryRoot, "README.md"), Ct)).ReplaceLineEndings("\n");
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        var consumer = Assert.Single(blocks, b => b.Contains("class ChatConsumer", StringComparison.Ordinal));
        var program = Assert.Single(blocks, b => b.Contains("WebApplication.CreateBuilder", StringComparison.Ordinal));

        var app = Path.Combine(Work, "QuickStart");
        var nuget = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Work, "nuget-packages") };
        var create = await Dotnet.RunAsync(Work, ["new", "web", "-n", "QuickStart", "-o", app, "--no-update-check"], nuget);
        Assert.True(create.ExitCode == 0, create.Output);
        await feed.WriteNuGetConfigAsync(app);
        var add = await Dotnet.RunAsync(app, ["add", "package", "Switchyard.AspNetCore", "--version", feed.Version], nuget);
        Assert.True(add.ExitCode == 0, add.Output);
        await File.WriteAllTextAsync(Path.Combine(app, "ChatConsumer.cs"), consumer, Ct);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program, Ct);

        var build = await Dotnet.RunAsync(app, ["build", "-nologo"], nuget);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(AppClient.BuiltWithoutWarnings(build.Output), build.Output);

        // On a port of the test's choosing: the launch profile `dotnet new web` wrote would set its own.
        var port = ChildProcess.FreePort();
        await using var running = await AppClient.RunAsync(
            app, ["--no-build", "--no-launch-profile"], new Dictionary<string, string>(nuget) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }, StartWithin);

        // The README's wire text: the request answered with "$re", the line broadcast to the room.
        using var speaker = await AppClient.ConnectAsync(port, "/ws/chat/lobby/");
        using var listener = await AppClient.ConnectAsync(port, "/ws/chat/lobby/");
        await AppClient.SendAsync(speaker, """{"type":"chat.say","text":"hello","$id":1}""");
        var heard = await AppClient.ReceiveAsync(listener, running);
        Assert.Equal("chat.message", heard.GetProperty("type").GetString());
        Assert.Equal(("lobby", "guest", "hello"), (heard.GetProperty("room").GetString(), heard.GetProperty("user").GetString(), heard.GetProperty("text").GetString()));
        var frames = new[] { await AppClient.ReceiveAsync(speaker, running), await AppClient.ReceiveAsync(speaker, running) };
        var reply = Assert.Single(frames, f => f.GetProperty("type").GetString() == "chat.said");
        Assert.Equal(1, reply.GetProperty("$re").GetInt64());
        Assert.Equal(heard.GetProperty("at").GetString(), reply.GetProperty("at").GetString());

        var exitCode = await running.TerminateAsync(ExitWithin);
        Assert.True(exitCode == 0, $"The app exited {exitCode} on SIGTERM:\n{running.Output}");
    }

    [GeneratedRegex("```csharp\n(.*?)```\n", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
