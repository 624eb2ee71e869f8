using System.Diagnostics.Metrics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard;
using Switchyard.Configuration;
using Switchyard.Ipc;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the IPC channel layer.</summary>
[UnsupportedOSPlatform("windows")]
public static class IpcLayerBuilderExtensions
{
    /// <summary>
    /// Uses the IPC channel layer instead of the in-memory one: every process of this machine and user that uses the same
    /// namespace (<see cref="IpcChannelLayerOptions.Name"/>) shares channels and groups. Options are registered with
    /// <c>IOptions</c> (so <c>services.Configure&lt;IpcChannelLayerOptions&gt;</c> adds to them) and validated when the
    /// host starts; the layer opens the namespace's segment when first resolved and leaves it when the host disposes it.
    /// </summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configure">Sets the namespace and options, if any (defaults: namespace <c>switchyard</c>).</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder AddIpcLayer(this SwitchyardBuilder builder, Action<IpcChannelLayerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<IpcChannelLayerOptions>().Configure(configure ?? (static _ => { })).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IpcChannelLayerOptions>>(new OptionsValidator<IpcChannelLayerOptions>(static o => o.Validate())));
        builder.Services.Replace(ServiceDescriptor.Singleton<ChannelLayer>(services => IpcChannelLayer.Open(
            services.GetRequiredService<IOptions<IpcChannelLayerOptions>>().Value,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>(),
            services.GetService<IMeterFactory>())));
        return builder;
    }

    /// <summary>
    /// Uses the IPC channel layer with its options read from <paramref name="configuration"/> (for example
    /// <c>builder.Configuration.GetSection("Switchyard:Ipc")</c>): <c>Name</c>, <c>Directory</c>, <c>SegmentSize</c>,
    /// <c>MaxNames</c>, <c>SweepInterval</c>, and under <c>Layer</c> the common layer options (see
    /// <see cref="Switchyard.Configuration.LayerConfiguration.Bind"/>). Read key by key, without reflection (Native AOT).
    /// </summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <param name="configure">Changes made after the configuration is read, if any.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">A value cannot be read (when the layer is first resolved); the message names its key.</exception>
    public static SwitchyardBuilder AddIpcLayer(this SwitchyardBuilder builder, IConfiguration configuration, Action<IpcChannelLayerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddIpcLayer(options =>
        {
            IpcLayerConfiguration.Bind(configuration, options);
            configure?.Invoke(options);
        });
    }
}
