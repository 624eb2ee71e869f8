using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Ipc.Tests.Support;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>The channel-layer conformance kit, unchanged, against the IPC layer: each layer of a test a separate member of one namespace.</summary>
public sealed class IpcChannelLayerConformanceTests : ChannelLayerSpecificationTests
{
    private readonly IpcNamespace _namespace = new();

    protected override ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        ValueTask.FromResult<ChannelLayer>(IpcChannelLayer.Open(_namespace.Options(options), timeProvider, loggerFactory: null, meterFactory));

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _namespace.Dispose();
    }
}
