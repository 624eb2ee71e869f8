using Xunit;

namespace Switchyard.Redis.Tests.Support;

/// <summary>A private Redis Cluster shared by the tests of one class (xunit class fixture): one master, or three.</summary>
public abstract class RedisClusters : IAsyncLifetime
{
    private readonly int _masters;

    protected RedisClusters(int masters) => _masters = masters;

    public RedisCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await RedisCluster.StartAsync(_masters);

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>A cluster of one master that owns all 16384 slots.</summary>
public sealed class OneMasterRedisCluster() : RedisClusters(1);

/// <summary>A cluster of three masters (redis-cli's split: 0-5460, 5461-10922, 10923-16383), no replicas.</summary>
public sealed class ThreeMasterRedisCluster() : RedisClusters(3);
