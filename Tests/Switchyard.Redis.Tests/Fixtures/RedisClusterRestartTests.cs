using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Fixtures;

/// <summary>Killing a master of the cluster fixture takes its slots down; restarting it brings them back.</summary>
public sealed class RedisClusterRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private RedisCluster _cluster = null!;

    // A node timeout of 1 s instead of the fixtures' 2 s halves the time the others take to count the killed master as
    // failed and to take it back (the class takes about 6 s instead of 10).
    public async ValueTask InitializeAsync() => _cluster = await RedisCluster.StartAsync(3, nodeTimeout: TimeSpan.FromSeconds(1));

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_killed_master_fails_the_cluster_and_rejoins_with_its_id_and_slots_when_restarted()
    {
        const string key = "{restart}.key";
        var victim = _cluster.NodeIndexForKey(key);
        var survivor = (victim + 1) % 3;
        var port = _cluster.Nodes[victim];
        var id = await RawRedis.CommandAsync(port, Timeout, "CLUSTER", "MYID");

        await _cluster.KillMasterAsync(victim);
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => RawRedis.CommandAsync(port, Timeout, "PING"));
        // No replica can take over: once the others agree it failed (after the node timeout), its slots are down everywhere.
        await _cluster.WaitForClusterStateAsync("fail", Timeout);
        var down = Assert.IsType<RedisErrorReply>(await RawRedis.CommandAsync(_cluster.Nodes[survivor], Timeout, "GET", key));
        Assert.StartsWith("CLUSTERDOWN", down.Message, StringComparison.Ordinal);

        await _cluster.RestartMasterAsync(victim);

        Assert.Equal(port, _cluster.Nodes[victim]);
        Assert.Equal(id, await RawRedis.CommandAsync(port, Timeout, "CLUSTER", "MYID"));
        for (var index = 0; index < 3; index++)
        {
            Assert.Contains("cluster_state:ok", await _cluster.ClusterInfoAsync(index), StringComparison.Ordinal);
        }

        Assert.Equal("OK", await RawRedis.CommandAsync(port, Timeout, "SET", key, "back"));
        var moved = Assert.IsType<RedisErrorReply>(await RawRedis.CommandAsync(_cluster.Nodes[survivor], Timeout, "GET", key));
        Assert.Equal(FormattableString.Invariant($"MOVED {RedisCluster.HashSlot(key)} 127.0.0.1:{port}"), moved.Message);
    }
}
