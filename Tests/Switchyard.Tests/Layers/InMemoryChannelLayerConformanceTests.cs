using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;

namespace Switchyard.Tests.Layers;

/// <summary>Runs the channel-layer conformance kit against <see cref="InMemoryChannelLayer"/>.</summary>
public sealed class InMemoryChannelLayerConformanceTests : ChannelLayerSpecificationTests
{
    /// <inheritdoc />
    protected override ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        ValueTask.FromResult<ChannelLayer>(new InMemoryChannelLayer(options, timeProvider, loggerFactory: null, meterFactory));
}
