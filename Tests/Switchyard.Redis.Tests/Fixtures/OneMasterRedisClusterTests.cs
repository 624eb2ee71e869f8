using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Fixtures;

/// <summary>The one-master cluster fixture: a cluster-mode server that owns every slot.</summary>
public sealed class OneMasterRedisClusterTests(OneMasterRedisCluster fixture) : IClassFixture<OneMasterRedisCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private RedisCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task The_single_master_is_in_cluster_mode_owns_all_slots_and_takes_every_key()
    {
        var port = Assert.Single(Cluster.Nodes);
        Assert.Equal(FormattableString.Invariant($"127.0.0.1:{port}"), Cluster.ConnectionString);
        var info = await Cluster.ClusterInfoAsync(0);
        Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
        Assert.Contains("cluster_slots_assigned:16384", info, StringComparison.Ordinal);
        Assert.Contains("cluster_known_nodes:1", info, StringComparison.Ordinal);

        foreach (var key in new[] { "{a}.x", "{b}.x", "{c}.x", "plain" })
        {
            Assert.Equal(0, Cluster.NodeIndexForKey(key));
            Assert.Equal("OK", await RawRedis.CommandAsync(port, Timeout, "SET", key, "v"));
        }
    }
}
