using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>The channel-layer conformance kit, unchanged, against the Redis layer on one server.</summary>
public sealed class RedisChannelLayerConformanceTests(OneRedisServer redis) : ChannelLayerSpecificationTests, IClassFixture<OneRedisServer>
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    protected override async ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        await RedisLayers.CreateAsync(redis.Servers, _prefix, options, timeProvider, meterFactory);
}

/// <summary>The conformance kit against the Redis layer sharded over three servers.</summary>
public sealed class ShardedRedisChannelLayerConformanceTests(ThreeRedisServers redis) : ChannelLayerSpecificationTests, IClassFixture<ThreeRedisServers>
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    protected override async ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        await RedisLayers.CreateAsync(redis.Servers, _prefix, options, timeProvider, meterFactory);
}

internal static class RedisLayers
{
    public static Task<RedisChannelLayer> CreateAsync(IReadOnlyList<RedisServer> servers, string prefix, ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        CreateAsync(servers.Select(s => s.ConnectionString), prefix, options, timeProvider, meterFactory);

    public static async Task<RedisChannelLayer> CreateAsync(IEnumerable<string> servers, string prefix, ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory)
    {
        var redisOptions = new RedisChannelLayerOptions { Prefix = prefix };
        foreach (var server in servers)
        {
            redisOptions.Servers.Add(server);
        }

        options.CopyTo(redisOptions.Layer);

        return await RedisChannelLayer.ConnectAsync(redisOptions, timeProvider, null, meterFactory, TestContext.Current.CancellationToken);
    }
}
