using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Switchyard.Redis;

/// <summary>How the Redis layers take the channel layer's place in DI.</summary>
internal static class LayerRegistration
{
    /// <summary>
    /// Replaces the channel layer with one made from <typeparamref name="TOptions"/> when it is first resolved (at
    /// startup in a server app); connecting is the one blocking step (one try per server, at most its connect timeout),
    /// and a server that cannot be reached is connected in the background (unless the options say to abort).
    /// </summary>
    public static SwitchyardBuilder Replace<TOptions>(
        SwitchyardBuilder builder,
        Action<TOptions> configure,
        Func<TOptions, TimeProvider?, ILoggerFactory?, IMeterFactory?, Task<ChannelLayer>> connect)
        where TOptions : new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Replace(ServiceDescriptor.Singleton(services =>
        {
            var options = new TOptions();
            configure(options);
            return connect(options, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>(), services.GetService<IMeterFactory>())
                .GetAwaiter().GetResult();
        }));
        return builder;
    }
}
