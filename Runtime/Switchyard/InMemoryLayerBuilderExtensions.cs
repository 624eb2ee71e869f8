using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the in-memory channel layer on a <see cref="SwitchyardBuilder"/> (the default of <c>AddSwitchyard</c>).</summary>
public static class InMemoryLayerBuilderExtensions
{
    /// <summary>Uses the in-memory channel layer and configures its options.</summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configure">Sets capacity, expiry, group expiry and message size.</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder AddInMemoryLayer(this SwitchyardBuilder builder, Action<ChannelLayerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.Replace(ServiceDescriptor.Singleton<ChannelLayer>(CreateInMemoryLayer));
        return builder;
    }

    // The layer AddSwitchyard registers by default, from the options, clock, logging and meters in the container.
    internal static InMemoryChannelLayer CreateInMemoryLayer(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<ChannelLayerOptions>>().Value,
        services.GetService<TimeProvider>(),
        services.GetService<ILoggerFactory>(),
        services.GetService<IMeterFactory>());
}
