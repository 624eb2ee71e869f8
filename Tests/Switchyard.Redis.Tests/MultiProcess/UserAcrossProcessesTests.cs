using System.Net.WebSockets;
using Switchyard.Redis.Tests.Support;
using Switchyard.Redis.TestServer;
using Xunit;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>
/// Users across processes: two server processes (Tests/Switchyard.Redis.TestServer) share nothing but a Redis; one
/// user is connected to each of them, another user to one. A third Redis layer, this test's, sends to the user and
/// disconnects the user: both of the user's connections, in their two processes, get it, and the other user's does not.
/// </summary>
public sealed class UserAcrossProcessesTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_on_two_server_processes_gets_what_is_sent_to_them_on_both_and_is_disconnected_from_both()
    {
        var prefix = $"users{Guid.NewGuid():N}";
        await using var first = await TestServerProcess.StartAsync(redis.Servers[0].ConnectionString, prefix);
        await using var second = await TestServerProcess.StartAsync(redis.Servers[0].ConnectionString, prefix);
        var options = new RedisChannelLayerOptions { Prefix = prefix };
        options.Servers.Add(redis.Servers[0].ConnectionString);
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);

        // Each welcome names its user and its server's process id (ConnectAsync checks both). It is sent once the
        // consumer accepted, and a consumer joins its user's group before it runs its connect step.
        using var aliceOnFirst = await first.ConnectAsync("alice", Ct);
        using var aliceOnSecond = await second.ConnectAsync("alice", Ct);
        using var bob = await first.ConnectAsync("bob", Ct);
        Assert.NotEqual(first.ProcessId, second.ProcessId);
        Assert.Equal(2, await layer.GroupMemberCountAsync(UserGroups.For("alice"), Ct));

        var sent = await layer.SendToUserAsync("alice", new UserNote("for alice, on every server"), Ct);

        Assert.Equal(new GroupSendResult(2, 0), sent);
        const string ForAlice = """{"type":"testserver.note","text":"for alice, on every server"}""";
        Assert.Equal(ForAlice, await TestServerProcess.ReceiveTextAsync(aliceOnFirst, Ct));
        Assert.Equal(ForAlice, await TestServerProcess.ReceiveTextAsync(aliceOnSecond, Ct));

        var disconnected = await layer.DisconnectUserAsync("alice", Ct);

        Assert.Equal(new GroupSendResult(2, 0), disconnected);
        foreach (var socket in new[] { aliceOnFirst, aliceOnSecond })
        {
            var (status, description) = await TestServerProcess.ReceiveCloseAsync(socket, Ct);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
            Assert.Equal("user disconnected", description);
        }

        // A consumer leaves its groups before its connection sends the close frame: alice's group is empty now.
        Assert.Equal(0, await layer.GroupMemberCountAsync(UserGroups.For("alice"), Ct));
        Assert.Equal(new GroupSendResult(0, 0), await layer.SendToUserAsync("alice", new UserNote("too late"), Ct));

        // Bob's connection stayed open and in his group. What reaches a connection arrives in the order it was sent,
        // so the first frame after his welcome being his own note also says that nothing meant for alice reached him.
        Assert.Equal(new GroupSendResult(1, 0), await layer.SendToUserAsync("bob", new UserNote("for bob"), Ct));
        Assert.Equal("""{"type":"testserver.note","text":"for bob"}""", await TestServerProcess.ReceiveTextAsync(bob, Ct));
        Assert.Equal(WebSocketState.Open, bob.State);
    }
}
