using System.Text;

namespace Switchyard.Redis.Sharding;

/// <summary>
/// Maps channel and group names to shards by consistent hashing: each shard owns many points on a 64-bit ring, a name
/// belongs to the first point at or after its hash. Adding a shard moves only about 1/n of the names. A process-local
/// channel (<c>prefix!suffix</c>) is placed by its prefix, so every channel of one process lives on one shard and that
/// process needs one receive loop per shard it uses, not one per channel.
/// </summary>
internal sealed class ConsistentHashRing
{
    private const int PointsPerShard = 160;
    private readonly ulong[] _points;
    private readonly int[] _owners;

    /// <summary>Creates a ring over <paramref name="shardKeys"/> (stable names such as <c>host:port/db</c>; order does not matter).</summary>
    public ConsistentHashRing(IReadOnlyList<string> shardKeys)
    {
        ArgumentNullException.ThrowIfNull(shardKeys);
        if (shardKeys.Count == 0)
        {
            throw new ArgumentException("A ring needs at least one shard.", nameof(shardKeys));
        }

        ShardCount = shardKeys.Count;
        var points = new List<(ulong Point, int Owner)>(shardKeys.Count * PointsPerShard);
        for (var shard = 0; shard < shardKeys.Count; shard++)
        {
            for (var i = 0; i < PointsPerShard; i++)
            {
                points.Add((Hash($"{shardKeys[shard]}#{i}"), shard));
            }
        }

        points.Sort((a, b) => a.Point.CompareTo(b.Point));
        _points = [.. points.Select(p => p.Point)];
        _owners = [.. points.Select(p => p.Owner)];
    }

    public int ShardCount { get; }

    /// <summary>Returns the shard (an index into the list the ring was made from) that owns <paramref name="name"/>.</summary>
    public int GetShard(string name)
    {
        if (ShardCount == 1)
        {
            return 0;
        }

        var bang = name.IndexOf('!', StringComparison.Ordinal);
        var key = bang < 0 ? name : name[..(bang + 1)];
        var index = Array.BinarySearch(_points, Hash(key));
        if (index < 0)
        {
            index = ~index;
        }

        return _owners[index == _points.Length ? 0 : index];
    }

    // FNV-1a over UTF-8, then a 64-bit finaliser (splitmix) to spread nearby names: stable across processes and
    // runtimes, unlike string.GetHashCode.
    private static ulong Hash(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }
}
