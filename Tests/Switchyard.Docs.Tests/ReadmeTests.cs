using System.Diagnostics;
using System.Net.WebSockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Switchyard.Docs.Tests;

/// <summary>
/// The README's consumer and browser code (and docs' examples) are the files here: Readme/ (compiled here, and type-checked by the TypeScript
/// client's type check against the module the build generated), and the consumer does what the README says.
/// </summary>
public sealed class ReadmeTests
{
    private static readonly string Root = typeof(ReadmeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    [Theory]
    [InlineData("README.md", "csharp", "Readme/ChatConsumer.cs")]
    [InlineData("README.md", "ts", "Readme/chat.ts")]
    [InlineData("docs/consumers.md", "csharp", "Consumers/CalcConsumer.cs")]
    [InlineData("docs/consumers.md", "csharp", "Shop/ShopConsumer.cs")]
    public void The_docs_show_the_code_that_is_compiled(string document, string language, string file)
    {
        var text = File.ReadAllText(Path.Combine(Root, document)).ReplaceLineEndings("\n");
        var source = File.ReadAllText(Path.Combine(Root, "Tests", "Switchyard.Docs.Tests", file)).ReplaceLineEndings("\n");
        var start = source.IndexOf("// <readme>\n", StringComparison.Ordinal);
        var end = source.IndexOf("// </readme>\n", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{file} has no // <readme> ... // </readme> region.");
        var shown = source[(start + "// <readme>\n".Length)..end];

        Assert.True(text.Contains($"```{language}\n{shown}```\n", StringComparison.Ordinal),
            $"{document} has no ```{language} block equal to the region of Tests/Switchyard.Docs.Tests/{file}; copy the region into it.");
    }

    [Fact]
    public void The_README_module_is_committed_as_the_build_wrote_it()
    {
        const string path = "Tests/Switchyard.Docs.Tests/Readme/switchyard.generated.ts";
        var built = File.ReadAllText(Path.Combine(Root, path));
        var committed = Git($"show HEAD:{path}");

        Assert.True(committed == built, $"{path} differs from the committed file: the build wrote it again from changed records; commit it.");
    }

    [Fact]
    public async Task The_README_consumer_answers_the_request_and_broadcasts_the_line()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchyard();
        await using var app = builder.Build();
        app.MapSwitchyard();
        await app.StartAsync(ct);
        var uri = new Uri($"ws://{new Uri(app.Urls.First()).Authority}/ws/chat/lobby/");

        using var speaker = new ClientWebSocket();
        using var listener = new ClientWebSocket();
        await speaker.ConnectAsync(uri, ct);
        await listener.ConnectAsync(uri, ct);
        await speaker.SendAsync("""{"type":"chat.say","text":"hello","$id":1}"""u8.ToArray(), WebSocketMessageType.Text, true, ct);

        var heard = JsonDocument.Parse(await ReceiveAsync(listener, ct)).RootElement;
        Assert.Equal("chat.message", heard.GetProperty("type").GetString());
        Assert.Equal("hello", heard.GetProperty("text").GetString());
        Assert.Equal("guest", heard.GetProperty("user").GetString());

        // The speaker gets the line too (it is in the room) and the reply to its request, in either order.
        var frames = new[] { await ReceiveAsync(speaker, ct), await ReceiveAsync(speaker, ct) }.Select(f => JsonDocument.Parse(f).RootElement).ToArray();
        var reply = Assert.Single(frames, f => f.GetProperty("type").GetString() == "chat.said");
        Assert.Equal(1, reply.GetProperty("$re").GetInt64());
        Assert.Equal(heard.GetProperty("at").GetString(), reply.GetProperty("at").GetString());
        Assert.Single(frames, f => f.GetProperty("type").GetString() == "chat.message");
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
    }

    private static string Git(string arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {arguments} failed: {error}");
        return output;
    }
}
