using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Switchyard;

/// <summary>Registers Switchyard in a service collection.</summary>
public static class SwitchyardServiceCollectionExtensions
{
    /// <summary>
    /// Adds Switchyard with the in-memory channel layer as the default <see cref="ChannelLayer"/>. A layer package
    /// (<c>AddRedisLayer</c>, ...) called on the returned builder replaces it. Also adds health checks
    /// (<c>AddHealthChecks()</c>) with <see cref="ChannelLayerHealthCheck"/> for whichever layer the application ends up
    /// with, so <c>app.MapHealthChecks("/healthz")</c> reports the layer.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to choose and configure the channel layer.</returns>
    public static SwitchyardBuilder AddSwitchyard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // The layer validates its options when it is created and names the bad option.
        services.AddOptions<ChannelLayerOptions>();
        services.TryAddSingleton<ChannelLayer>(CreateInMemoryLayer);
        services.TryAddSingleton<IUserIdProvider, ClaimUserIdProvider>();
        services.AddHealthChecks();

        // Once, however often AddSwitchyard is called (a check name must be unique).
        services.Configure<HealthCheckServiceOptions>(o =>
        {
            if (!o.Registrations.Any(r => r.Name == ChannelLayerHealthCheck.Name))
            {
                o.Registrations.Add(new HealthCheckRegistration(
                    ChannelLayerHealthCheck.Name,
                    static services => new ChannelLayerHealthCheck(services.GetRequiredService<ChannelLayer>()),
                    failureStatus: null,
                    tags: [ChannelLayerHealthCheck.Tag]));
            }
        });
        return new SwitchyardBuilder(services);
    }

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

    private static InMemoryChannelLayer CreateInMemoryLayer(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<ChannelLayerOptions>>().Value,
        services.GetService<TimeProvider>(),
        services.GetService<ILoggerFactory>(),
        services.GetService<IMeterFactory>());
}
