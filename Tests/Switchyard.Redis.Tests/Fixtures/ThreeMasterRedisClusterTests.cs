using System.Globalization;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Fixtures;

/// <summary>The three-master cluster fixture is a working Redis Cluster, and it knows which master holds a key.</summary>
public sealed class ThreeMasterRedisClusterTests(ThreeMasterRedisCluster fixture) : IClassFixture<ThreeMasterRedisCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private RedisCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Every_node_reports_cluster_state_ok_with_all_slots_on_three_masters()
    {
        Assert.Equal(3, Cluster.Nodes.Count);
        Assert.Equal(3, Cluster.Nodes.Distinct().Count());
        for (var index = 0; index < Cluster.Nodes.Count; index++)
        {
            var info = await Cluster.ClusterInfoAsync(index);
            Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
            Assert.Contains("cluster_slots_ok:16384", info, StringComparison.Ordinal);
            Assert.Contains("cluster_known_nodes:3", info, StringComparison.Ordinal);
            Assert.Contains("cluster_size:3", info, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Each_node_listens_at_most_on_55535_with_its_cluster_bus_10000_above_and_the_connection_string_names_them_all()
    {
        var nodes = await RawRedis.TextAsync(Cluster.Nodes[0], Timeout, "CLUSTER", "NODES");
        foreach (var port in Cluster.Nodes)
        {
            Assert.InRange(port, 1024, 55535);
            Assert.Contains(FormattableString.Invariant($" 127.0.0.1:{port}@{port + 10000}"), nodes, StringComparison.Ordinal);
        }

        var named = Cluster.ConnectionString.Split(',').Select(endpoint => endpoint.Split(':')).ToArray();
        Assert.All(named, endpoint => Assert.Equal("127.0.0.1", endpoint[0]));
        Assert.Equal(Cluster.Nodes, named.Select(endpoint => int.Parse(endpoint[1], CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("")]
    [InlineData("123456789")]
    [InlineData("{user1000}.following")]
    [InlineData("{user1000}.followers")]
    [InlineData("foo{}{bar}")]
    [InlineData("foo{{bar}}zap")]
    [InlineData("foo{bar}{zap}")]
    [InlineData("{")]
    [InlineData("}{x}")]
    [InlineData("specific.a1b2c3!channel-name")]
    [InlineData("group:ÿ-ключ-😀")]
    public async Task HashSlot_agrees_with_CLUSTER_KEYSLOT(string key)
    {
        var slot = await RawRedis.CommandAsync(Cluster.Nodes[0], Timeout, "CLUSTER", "KEYSLOT", key);

        Assert.Equal(slot, (long)RedisCluster.HashSlot(key));
    }

    [Fact]
    public async Task Keys_with_different_hash_tags_land_on_different_masters_and_only_the_owner_takes_them()
    {
        // The first hash tags {tag-0}, {tag-1}, ... that reach each master.
        var tags = Enumerable.Range(0, 1000).Select(i => FormattableString.Invariant($"{{tag-{i}}}"))
            .GroupBy(tag => Cluster.NodeIndexForKey(tag))
            .ToDictionary(group => group.Key, group => group.First());
        Assert.Equal([0, 1, 2], tags.Keys.Order());

        foreach (var (owner, tag) in tags)
        {
            var key = tag + ".messages";
            Assert.Equal(owner, Cluster.NodeIndexForKey(tag + ".other"));
            Assert.Equal("OK", await RawRedis.CommandAsync(Cluster.Nodes[owner], Timeout, "SET", key, "here"));
            Assert.Equal("here", await RawRedis.CommandAsync(Cluster.Nodes[owner], Timeout, "GET", key));

            var other = (owner + 1) % 3;
            var refused = Assert.IsType<RedisErrorReply>(await RawRedis.CommandAsync(Cluster.Nodes[other], Timeout, "SET", key, "there"));
            Assert.Equal(FormattableString.Invariant($"MOVED {RedisCluster.HashSlot(key)} 127.0.0.1:{Cluster.Nodes[owner]}"), refused.Message);
        }
    }
}
