using System.Net.WebSockets;
using System.Text.Json;
using Switchyard.Redis.Tests.Support;
using Switchyard.Redis.TestServer;
using Xunit;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>
/// Failure stories of group history and presence with real processes on a private Redis: a client whose server is
/// killed resumes on another server from its last position and misses nothing; after Redis restarts without its data
/// the position's epoch is gone and the client is told so; a server stopped with SIGTERM tells the room its members
/// left itself, on its way out.
/// </summary>
public sealed class ResumeAcrossProcessesTests : IAsyncLifetime
{
    private RedisServer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task A_client_whose_server_was_killed_resumes_on_another_server_without_gaps_or_duplicates()
    {
        var prefix = $"resume{Guid.NewGuid():N}";
        await using var layer = await ConnectAsync(prefix);
        await using var doomed = await TestServerProcess.StartAsync(_redis.ConnectionString, prefix);
        await using var other = await TestServerProcess.StartAsync(_redis.ConnectionString, prefix);

        using var first = await doomed.OpenFeedAsync("news", since: null, Ct);
        Assert.Equal("None", (await ReceiveAsync(first)).GetProperty("loss").GetString());
        for (var i = 1; i <= 3; i++)
        {
            await layer.GroupSendAsync("feed.news", ChannelMessage.Create(new UserNote($"n{i}")), Ct);
        }

        string? last = null;
        for (var i = 1; i <= 3; i++)
        {
            var note = await ReceiveAsync(first);
            Assert.Equal($"n{i}", note.GetProperty("text").GetString());
            last = note.GetProperty("position").GetString();
        }

        // The server dies; notes go on meanwhile; the client comes back on the other server with its last position.
        await doomed.KillAsync();
        for (var i = 4; i <= 6; i++)
        {
            await layer.GroupSendAsync("feed.news", ChannelMessage.Create(new UserNote($"n{i}")), Ct);
        }

        using var second = await other.OpenFeedAsync("news", last, Ct);
        var texts = new List<string>();
        JsonElement resumed;
        while (true)
        {
            var frame = await ReceiveAsync(second);
            if (frame.GetProperty("type").GetString() == "testserver.resumed")
            {
                resumed = frame;
                break;
            }

            texts.Add(frame.GetProperty("text").GetString()!);
        }

        Assert.Equal(["n4", "n5", "n6"], texts);
        Assert.Equal(3, resumed.GetProperty("replayed").GetInt32());
        await layer.GroupSendAsync("feed.news", ChannelMessage.Create(new UserNote("n7")), Ct);
        Assert.Equal("n7", (await ReceiveAsync(second)).GetProperty("text").GetString());
    }

    [Fact]
    public async Task After_Redis_restarts_without_its_data_a_resuming_client_is_told_its_position_is_gone()
    {
        var prefix = $"epoch{Guid.NewGuid():N}";
        await using (var layer = await ConnectAsync(prefix))
        {
            await layer.GroupSendAsync("feed.lost", ChannelMessage.Create(new UserNote("before")), Ct);
        }

        await using var server = await TestServerProcess.StartAsync(_redis.ConnectionString, prefix);
        using (var client = await server.OpenFeedAsync("lost", since: null, Ct))
        {
            var position = (await ReceiveAsync(client)).GetProperty("position").GetString()!;
            Assert.EndsWith(":1", position, StringComparison.Ordinal);

            await _redis.KillAsync();
            await _redis.RestartAsync();

            // The server reconnects by itself; a client that comes back with the old position is told the epoch changed.
            using var again = await ConnectWhenServedAsync(server, "lost", position);
            var resumed = await ReceiveAsync(again);
            Assert.Equal("EpochChanged", resumed.GetProperty("loss").GetString());
            Assert.Equal(0, resumed.GetProperty("replayed").GetInt32());
            Assert.DoesNotContain(position.Split(':')[0], resumed.GetProperty("position").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_server_stopped_with_SIGTERM_tells_the_room_its_members_left()
    {
        var prefix = $"leave{Guid.NewGuid():N}";
        await using var stopping = await TestServerProcess.StartAsync(_redis.ConnectionString, prefix);

        // The watcher is a plain member of the room in this test's layer, which has no presence of its own: nobody
        // renews or sweeps the room's presence but the stopping process, so a leave event can only come from its stop.
        await using var layer = await ConnectAsync(prefix);
        var watcher = await layer.NewChannelAsync("watcher", Ct);
        await layer.GroupAddAsync("room.hall", watcher, Ct);
        using var alice = await stopping.JoinRoomAsync("hall", "alice", Ct);
        var joined = await ReceivePresenceAsync(layer, watcher);
        Assert.Equal(["alice"], joined.Joins.Select(m => m.UserId));

        Assert.Equal(0, await stopping.TerminateAsync());

        var left = await ReceivePresenceAsync(layer, watcher);
        Assert.Equal(["alice"], left.Leaves.Select(m => m.UserId));
        Assert.Equal(1, left.Count);
    }

    private static async Task<PresenceEvent> ReceivePresenceAsync(RedisChannelLayer layer, string channel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TestServerProcess.ReceiveTimeout);
        var message = await layer.ReceiveAsync(channel, timeout.Token);
        Assert.Equal(PresenceEvent.MessageType, message.Type);
        return message.Read<PresenceEvent>();
    }

    private async Task<RedisChannelLayer> ConnectAsync(string prefix)
    {
        var options = new RedisChannelLayerOptions { Prefix = prefix };
        options.Servers.Add(_redis.ConnectionString);
        options.Layer.WithGroupHistory("feed.*");
        return await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
    }

    // While its layer reconnects, the server refuses WebSockets with 503: try again until it serves (bounded).
    private static async Task<ClientWebSocket> ConnectWhenServedAsync(TestServerProcess server, string name, string since)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                return await server.OpenFeedAsync(name, since, deadline.Token);
            }
            catch (WebSocketException) when (!deadline.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket) =>
        JsonDocument.Parse(await TestServerProcess.ReceiveTextAsync(socket, Ct)).RootElement;
}
