using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchyard.LiveBlog.Tests.Support;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>The chat sample as a process: a speaker whose lines the moderator cannot take is told so, not disconnected.</summary>
public sealed class ChatSampleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task When_the_moderator_channel_is_full_the_speaker_is_told_and_stays_connected()
    {
        // No worker in this process and an in-memory layer: nothing reads chat.moderate, so it fills after 100 lines.
        var port = ChildProcess.FreePort();
        var chat = Path.Combine(LiveBlogProcess.RepositoryRoot(), "Samples", "Chat", "bin", Configuration(), "net10.0", "Chat.dll");
        await using var process = await ChildProcess.StartAsync("dotnet", [chat, "--urls", $"http://127.0.0.1:{port}", "--no-worker", "true"], "Chat is running on", TimeSpan.FromSeconds(30));
        using var speaker = await ConnectAsync(port, "ada");
        Assert.Equal("chat.presence", (await ReceiveAsync(speaker)).GetProperty("type").GetString());

        for (var i = 0; i <= 100; i++)
        {
            await speaker.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"chat.say","text":"line {{i}}"}"""), WebSocketMessageType.Text, true, Ct);
        }

        var error = await ReceiveAsync(speaker);
        Assert.Equal("chat.error", error.GetProperty("type").GetString());
        Assert.Contains("busy", error.GetProperty("text").GetString(), StringComparison.Ordinal);

        // Still connected and served: it hears the next member arrive.
        using var other = await ConnectAsync(port, "bob");
        var presence = await ReceiveAsync(speaker);
        Assert.Equal("chat.presence", presence.GetProperty("type").GetString());
        Assert.Equal("bob", presence.GetProperty("user").GetString());
        Assert.Equal(WebSocketState.Open, speaker.State);
        Assert.False(process.HasExited);
    }

    private static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    private static async Task<ClientWebSocket> ConnectAsync(int port, string name)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/chat/busy/?name={name}"), Ct);
        return socket;
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement.Clone();
    }
}
