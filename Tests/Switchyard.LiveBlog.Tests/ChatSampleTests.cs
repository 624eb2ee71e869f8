using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchyard.LiveBlog.Tests.Support;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// The chat sample as a process: a speaker whose line the moderator cannot take has that request refused, and is not
/// disconnected; two chat processes on one IPC namespace share their rooms.
/// </summary>
public sealed class ChatSampleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task When_the_moderator_channel_is_full_the_speakers_request_is_refused_and_it_stays_connected()
    {
        // No worker in this process and an in-memory layer: nothing reads chat.moderate, so it fills after 100 lines.
        var port = ChildProcess.FreePort();
        var chat = Path.Combine(LiveBlogProcess.RepositoryRoot(), "Samples", "Chat", "bin", Configuration(), "net10.0", "Chat.dll");
        await using var process = await ChildProcess.StartAsync("dotnet", [chat, "--urls", $"http://127.0.0.1:{port}", "--no-worker", "true"], "Chat is running on", TimeSpan.FromSeconds(30));
        using var speaker = await ConnectAsync(port, "ada");
        Assert.True(Joined(await ReceiveAsync(speaker), "ada"), "The first frame says who is here: ada.");

        // Each line is a request ($id), as the page sends it: the moderator's channel takes 100, and the server
        // acknowledges each; the 101st is refused with the reason, answering that request.
        for (var i = 1; i <= 101; i++)
        {
            await speaker.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"chat.say","text":"line {{i}}","$id":{{i}}}"""), WebSocketMessageType.Text, true, Ct);
        }

        var acknowledged = new List<int>();
        var error = await ReceiveUntilAsync(speaker, m =>
        {
            if (m.GetProperty("type").GetString() == "switchyard.ack")
            {
                acknowledged.Add(m.GetProperty("$re").GetInt32());
            }

            return m.GetProperty("type").GetString() == "switchyard.error";
        });
        Assert.Equal(Enumerable.Range(1, 100), acknowledged);
        Assert.Equal(101, error.GetProperty("$re").GetInt32());
        Assert.Contains("busy", error.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Still connected and served: it hears the next member arrive.
        using var other = await ConnectAsync(port, "bob");
        await ReceiveUntilAsync(speaker, m => Joined(m, "bob"));
        Assert.Equal(WebSocketState.Open, speaker.State);
        Assert.False(process.HasExited);
    }

    [Fact]
    public async Task Two_chat_processes_on_one_IPC_namespace_share_a_room_both_ways()
    {
        // Server A runs the moderator worker; server B serves WebSockets only, its lines moderated by A's worker.
        var directory = Path.Combine(Path.GetTempPath(), "switchyard-chat-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] onIpc = ["--ipc", "chat", "--Switchyard:Ipc:Directory", directory];
            var (portA, portB) = (ChildProcess.FreePort(), ChildProcess.FreePort());
            await using var serverA = await StartChatAsync(portA, onIpc);
            await using var serverB = await StartChatAsync(portB, [.. onIpc, "--no-worker", "true"]);
            using var bob = await ConnectAsync(portB, "bob", "lobby");
            await ReceiveUntilAsync(bob, m => Joined(m, "bob"));
            using var ada = await ConnectAsync(portA, "ada", "lobby");

            // Ada's arrival on A is told to Bob on B (the room's presence, in the IPC namespace).
            var arrival = await ReceiveUntilAsync(bob, m => Joined(m, "ada"));
            Assert.Equal("chat.lobby", arrival.GetProperty("group").GetString());

            // A line said on A (moderated by A's worker) reaches Bob on B.
            await SayAsync(ada, "hello from A, heck");
            var fromA = await ReceiveUntilAsync(bob, m => Is(m, "chat.message", "ada"));
            Assert.Equal("hello from A, ****", fromA.GetProperty("text").GetString());

            // A line said on B goes to A's worker over the namespace, and the room hears it on both servers.
            await SayAsync(bob, "hello from B");
            Assert.Equal("hello from B", (await ReceiveUntilAsync(ada, m => Is(m, "chat.message", "bob"))).GetProperty("text").GetString());
            Assert.Equal("hello from B", (await ReceiveUntilAsync(bob, m => Is(m, "chat.message", "bob"))).GetProperty("text").GetString());
            Assert.False(serverA.HasExited);
            Assert.False(serverB.HasExited);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static Task<ChildProcess> StartChatAsync(int port, string[] options)
    {
        var chat = Path.Combine(LiveBlogProcess.RepositoryRoot(), "Samples", "Chat", "bin", Configuration(), "net10.0", "Chat.dll");
        return ChildProcess.StartAsync("dotnet", [chat, "--urls", $"http://127.0.0.1:{port}", .. options], "Chat is running on", TimeSpan.FromSeconds(30));
    }

    private static async Task SayAsync(ClientWebSocket socket, string text) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "chat.say", ["text"] = text })), WebSocketMessageType.Text, true, Ct);

    // A presence event (or the who-is-here snapshot) in which the user named joined.
    private static bool Joined(JsonElement message, string user) =>
        message.GetProperty("type").GetString() == "switchyard.presence"
        && message.GetProperty("joins").EnumerateArray().Any(member => member.GetProperty("info").GetString() == user);

    private static bool Is(JsonElement message, string type, string user) =>
        message.GetProperty("type").GetString() == type && message.GetProperty("user").GetString() == user;

    // Reads messages until one matches, each within 10 s (what does not match, such as other presences, is skipped).
    private static async Task<JsonElement> ReceiveUntilAsync(ClientWebSocket socket, Func<JsonElement, bool> match)
    {
        while (true)
        {
            var message = await ReceiveAsync(socket);
            if (match(message))
            {
                return message;
            }
        }
    }

    private static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    private static async Task<ClientWebSocket> ConnectAsync(int port, string name, string room = "busy")
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/chat/{room}/?name={name}"), Ct);
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
