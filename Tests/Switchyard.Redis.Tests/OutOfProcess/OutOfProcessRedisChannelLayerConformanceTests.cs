using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.OutOfProcess;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.OutOfProcess;

/// <summary>
/// The channel-layer conformance kit, unchanged, against the Redis layer with every layer of a test in its own OS process
/// (a layer host, Tests/Switchyard.ChannelLayers.LayerHost), reached through <see cref="OutOfProcessChannelLayer"/>.
/// </summary>
public sealed class OutOfProcessRedisChannelLayerConformanceTests(OneRedisServer redis, LayerHostPool hosts)
    : ChannelLayerSpecificationTests, IClassFixture<OneRedisServer>, IClassFixture<LayerHostPool>
{
    // One key prefix for the class, because hosts are started ahead with it on their command line. The class's tests run
    // one after another and name their channels and groups with their own tag, so they never meet each other's keys
    // (a flush empties the class's keys while no other test of the class runs); other classes have their own server.
    private static readonly string Prefix = $"oop{Guid.NewGuid():N}";

    // Closing ends the host process too (its runtime's shutdown), which on a loaded two-core machine can take longer
    // than the kit's usual wait; the close must still end every racing receive with the closed error.
    protected override TimeSpan CloseTimeout => TimeSpan.FromSeconds(30);

    protected override async ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        await OutOfProcessChannelLayer.StartAsync(
            hosts, new LayerHostCommand("redis", [redis.Servers[0].ConnectionString, Prefix]), options, timeProvider, meterFactory, TestContext.Current.CancellationToken);
}
