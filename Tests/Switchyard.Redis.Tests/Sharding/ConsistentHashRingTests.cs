using Switchyard.Redis.Sharding;
using Xunit;

namespace Switchyard.Redis.Tests.Sharding;

public sealed class ConsistentHashRingTests
{
    private static readonly string[] Names = [.. Enumerable.Range(0, 30_000).Select(i => $"chat.room-{i}")];

    [Fact]
    public void Names_spread_over_the_shards()
    {
        var ring = new ConsistentHashRing(["10.0.0.1:6379/0", "10.0.0.2:6379/0", "10.0.0.3:6379/0"]);
        var counts = Names.GroupBy(ring.GetShard).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([0, 1, 2], counts.Keys.Order());
        Assert.All(counts.Values, count => Assert.InRange(count, Names.Length * 0.25, Names.Length * 0.42));
    }

    [Fact]
    public void Adding_a_shard_moves_about_a_quarter_of_the_names_and_only_to_the_new_shard()
    {
        string[] three = ["a:1/0", "b:1/0", "c:1/0"];
        var before = new ConsistentHashRing(three);
        var after = new ConsistentHashRing([.. three, "d:1/0"]);
        var moved = Names.Where(n => before.GetShard(n) != after.GetShard(n)).ToArray();
        Assert.InRange(moved.Length, Names.Length * 0.15, Names.Length * 0.35);
        Assert.All(moved, n => Assert.Equal(3, after.GetShard(n)));
    }

    [Fact]
    public void The_channels_of_one_process_share_a_shard_and_the_mapping_is_stable()
    {
        var ring = new ConsistentHashRing(["a:1/0", "b:1/0", "c:1/0", "d:1/0"]);
        var again = new ConsistentHashRing(["d:1/0", "c:1/0", "b:1/0", "a:1/0"]);
        var shard = ring.GetShard("specific.abc123!x");
        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(shard, ring.GetShard($"specific.abc123!conn{i}")));
        // Order of the shard list does not change who owns a name (owners are named by their key, not position).
        Assert.All(Names.Take(500), n => Assert.Equal(new[] { "a:1/0", "b:1/0", "c:1/0", "d:1/0" }[ring.GetShard(n)], new[] { "d:1/0", "c:1/0", "b:1/0", "a:1/0" }[again.GetShard(n)]));
    }

    [Fact]
    public void One_shard_owns_everything()
    {
        var ring = new ConsistentHashRing(["only:6379/0"]);
        Assert.All(Names.Take(100), n => Assert.Equal(0, ring.GetShard(n)));
    }
}
