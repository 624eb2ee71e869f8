using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.PubSub;

/// <summary>
/// The channel-layer conformance kit, unchanged, against the pub/sub layer on one server. The layer has no capacity, no
/// expiry, keeps nothing for a channel nobody listens to and counts processes in group send results, so the kit skips
/// the tests that need those; everything else (receive-then-send, cancellation, groups, flush, close, names, metrics,
/// tracing) runs.
/// </summary>
public sealed class RedisPubSubChannelLayerConformanceTests(OneRedisServer redis) : ChannelLayerSpecificationTests, IClassFixture<OneRedisServer>
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    protected override async ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        await PubSubLayers.CreateAsync(redis.Servers, _prefix, options, timeProvider, meterFactory, TestOutputLoggerFactory.ForCurrentTest());
}

internal static class PubSubLayers
{
    public static async Task<RedisPubSubChannelLayer> CreateAsync(
        IReadOnlyList<RedisServer> servers,
        string prefix,
        ChannelLayerOptions? options = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null,
        Action<RedisPubSubChannelLayerOptions>? configure = null)
    {
        var pubSubOptions = new RedisPubSubChannelLayerOptions { Prefix = prefix };
        foreach (var server in servers)
        {
            pubSubOptions.Servers.Add(server.ConnectionString);
        }

        options?.CopyTo(pubSubOptions.Layer);

        configure?.Invoke(pubSubOptions);
        return await RedisPubSubChannelLayer.ConnectAsync(pubSubOptions, timeProvider, loggerFactory, meterFactory, TestContext.Current.CancellationToken);
    }
}
