using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.OutOfProcess;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Ipc.Tests.Support;
using Xunit;

namespace Switchyard.Ipc.Tests.Layer;

/// <summary>
/// The channel-layer conformance kit, unchanged, against the IPC layer with every layer of a test in its own OS process
/// (a layer host, Tests/Switchyard.ChannelLayers.LayerHost): the processes share the namespace's segment as an
/// application's processes would.
/// </summary>
public sealed class OutOfProcessIpcChannelLayerConformanceTests(IpcNamespaceFixture ipc, LayerHostPool hosts)
    : ChannelLayerSpecificationTests, IClassFixture<IpcNamespaceFixture>, IClassFixture<LayerHostPool>
{
    // One namespace for the class, because hosts are started ahead with it on their command line. The class's tests run
    // one after another and name their channels and groups with their own tag (a flush empties the namespace while no
    // other test of the class runs).
    // Closing ends the host process too (its runtime's shutdown), which on a loaded two-core machine can take longer
    // than the kit's usual wait; the close must still end every racing receive with the closed error.
    protected override TimeSpan CloseTimeout => TimeSpan.FromSeconds(30);

    protected override async ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        await OutOfProcessChannelLayer.StartAsync(
            hosts, new LayerHostCommand("ipc", [ipc.Namespace.Directory, ipc.Namespace.Name]), options, timeProvider, meterFactory, TestContext.Current.CancellationToken);
}

/// <summary>A namespace shared by a test class, removed after it.</summary>
public sealed class IpcNamespaceFixture : IDisposable
{
    internal IpcNamespace Namespace { get; } = new();

    public void Dispose() => Namespace.Dispose();
}
