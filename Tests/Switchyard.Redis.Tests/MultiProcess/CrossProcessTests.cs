using System.Net.WebSockets;
using System.Text;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>
/// Two interface server processes (the chat sample) that share nothing but a Redis: a line said in one reaches a
/// member of the same room in the other, through the moderator worker (running in both, competing for its channel)
/// and a group broadcast across the process boundary.
/// </summary>
public sealed class CrossProcessTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    [Fact]
    public async Task Two_server_processes_share_a_room_through_Redis()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var first = await ChatProcess.StartAsync(redis.Servers[0].ConnectionString);
        await using var second = await ChatProcess.StartAsync(redis.Servers[0].ConnectionString);
        using var ada = await ConnectAsync(first.Port, "ada", ct);
        using var bob = await ConnectAsync(second.Port, "bob", ct);

        // Bob hears who is here, himself included (the room's presence, kept in Redis).
        await ReceiveUntilAsync(bob, "\"info\":\"bob\"", ct);

        await ada.SendAsync(Encoding.UTF8.GetBytes("""{"type":"chat.say","text":"hello from process one, darn"}"""), WebSocketMessageType.Text, true, ct);

        var line = await ReceiveUntilAsync(bob, "chat.message", ct);
        Assert.Contains("\"user\":\"ada\"", line, StringComparison.Ordinal);
        Assert.Contains("hello from process one, ****", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_offloaded_request_to_a_server_without_workers_is_answered_by_a_worker_in_another_process()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var front = await ChatProcess.StartAsync(redis.Servers[0].ConnectionString, workers: false);
        await using var worker = await ChatProcess.StartAsync(redis.Servers[0].ConnectionString, workers: true);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };

        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{front.Port}/rooms/lobby/summary"), ct);
        var body = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("room lobby: summarised by worker process ", body, StringComparison.Ordinal);
        Assert.Equal(worker.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), body.Trim()["room lobby: summarised by worker process ".Length..]);
    }

    internal static async Task<ClientWebSocket> ConnectAsync(int port, string name, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/chat/lobby/?name={name}"), ct);
        return socket;
    }

    internal static async Task<string> ReceiveUntilAsync(ClientWebSocket socket, string contains, CancellationToken ct, TimeSpan? within = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(within ?? TimeSpan.FromSeconds(15));
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
            if (text.Contains(contains, StringComparison.Ordinal))
            {
                return text;
            }
        }
    }
}
