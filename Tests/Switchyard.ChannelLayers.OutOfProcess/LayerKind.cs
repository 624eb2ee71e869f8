using System.Diagnostics.Metrics;

namespace Switchyard.ChannelLayers.OutOfProcess;

/// <summary>Creates the one layer a layer host serves, from the host's command-line arguments and the parent's options.</summary>
/// <param name="arguments">The command-line arguments after the kind (their count is <see cref="LayerKind.Arguments"/>'s).</param>
/// <param name="options">The options the parent's test asked for, in full.</param>
/// <param name="timeProvider">The host's manual clock, which follows the parent's.</param>
/// <param name="meterFactory">The host's meters; what the layer records there is relayed to the parent's meter factory.</param>
/// <param name="cancellationToken">Cancels creating.</param>
/// <returns>The layer.</returns>
public delegate Task<ChannelLayer> LayerFactory(
    IReadOnlyList<string> arguments, ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory, CancellationToken cancellationToken);

/// <summary>One kind of layer a layer host can serve: <c>LayerHost {Name} {Arguments...}</c>.</summary>
/// <param name="Name">The kind's name, the host's first argument (<c>redis</c>).</param>
/// <param name="Arguments">The names of the arguments that follow, for the usage line.</param>
/// <param name="Create">Creates the layer.</param>
public sealed record LayerKind(string Name, IReadOnlyList<string> Arguments, LayerFactory Create);
