using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Switchyard;
using Switchyard.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Switchyard in a service collection. In this namespace, as ASP.NET Core's own <c>AddX</c> methods, so
/// <c>builder.Services.AddSwitchyard()</c> needs no <c>using</c> in a web project.
/// </summary>
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
        // Validated when the host starts, naming the bad option (and again by the layer when it is created).
        services.AddOptions<ChannelLayerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChannelLayerOptions>>(new OptionsValidator<ChannelLayerOptions>(static o => o.Validate())));
        services.TryAddSingleton<ChannelLayer>(InMemoryLayerBuilderExtensions.CreateInMemoryLayer);
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
}
