using System.Text.Json;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>
/// Presence across processes: two server processes share a Redis and a presence room; one is killed with SIGKILL.
/// Its member leaves the room within the presence timeout (3 s in the test server) and the other process's client is
/// told, without any help from the dead process.
/// </summary>
public sealed class PresenceAcrossProcessesTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_members_of_a_killed_process_leave_the_room_and_the_others_are_told()
    {
        var prefix = $"presence{Guid.NewGuid():N}";
        await using var doomed = await TestServerProcess.StartAsync(redis.Servers[0].ConnectionString, prefix);
        await using var survivor = await TestServerProcess.StartAsync(redis.Servers[0].ConnectionString, prefix);
        var options = new RedisChannelLayerOptions { Prefix = prefix };
        options.Servers.Add(redis.Servers[0].ConnectionString);
        options.Layer.WithPresence("room.*");
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);

        using var bob = await survivor.JoinRoomAsync("lobby", "bob", Ct);
        using var alice = await doomed.JoinRoomAsync("lobby", "alice", Ct);

        // Each process tells the room of its own joins: bob hears both, whichever comes first.
        var joined = new HashSet<string>(StringComparer.Ordinal);
        while (!joined.IsSupersetOf(["alice", "bob"]))
        {
            var presence = await ReceivePresenceAsync(bob);
            Assert.Empty(presence.Leaves);
            joined.UnionWith(presence.Joins.Select(m => m.UserId!));
        }

        var listed = await layer.GroupPresenceAsync("room.lobby", cancellationToken: Ct);
        var aliceMember = Assert.Single(listed.Members, m => m.UserId == "alice");
        Assert.Equal($"process {doomed.ProcessId}", aliceMember.Info);
        Assert.Equal(2, await layer.GroupMemberCountAsync("room.lobby", Ct));

        await doomed.KillAsync();

        // The survivor's renewal (each second) finds alice's presence timed out (3 s after her process last renewed
        // it), removes her from the room and tells it: well within the 10 s a receive waits.
        var left = await ReceivePresenceAsync(bob);
        var gone = Assert.Single(left.Leaves);
        Assert.Equal(aliceMember with { JoinedAt = gone.JoinedAt }, gone);
        Assert.Equal(aliceMember.JoinedAt.ToUnixTimeMilliseconds(), gone.JoinedAt.ToUnixTimeMilliseconds());
        Assert.Equal(1, left.Count);
        Assert.Equal(1, await layer.GroupMemberCountAsync("room.lobby", Ct));
        Assert.Equal(["bob"], (await layer.GroupPresenceAsync("room.lobby", cancellationToken: Ct)).Members.Select(m => m.UserId));
    }

    private static async Task<PresenceEvent> ReceivePresenceAsync(System.Net.WebSockets.ClientWebSocket socket)
    {
        var frame = await TestServerProcess.ReceiveTextAsync(socket, Ct);
        using var json = JsonDocument.Parse(frame);
        Assert.Equal("switchyard.presence", json.RootElement.GetProperty("type").GetString());
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(frame));
        return PresenceEvent.ReadJson(ref reader);
    }
}
