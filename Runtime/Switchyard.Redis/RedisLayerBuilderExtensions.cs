using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Switchyard.Redis;

namespace Switchyard;

/// <summary>Registers the Redis channel layer.</summary>
public static class RedisLayerBuilderExtensions
{
    /// <summary>
    /// Uses the Redis channel layer instead of the in-memory one. The layer connects to every server when it is first
    /// resolved (at startup in a server app); a server that cannot be reached is an error then, naming it.
    /// </summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configure">Adds the servers (<c>o.Servers.Add("redis:6379,password=...")</c>) and sets prefix, encryption keys and layer options.</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder AddRedisLayer(this SwitchyardBuilder builder, Action<RedisChannelLayerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<ChannelLayer>(services =>
        {
            var options = new RedisChannelLayerOptions();
            configure(options);

            // Resolved once, at startup: connecting is the one blocking step, as with any Redis client's Connect.
            return RedisChannelLayer.ConnectAsync(
                    options,
                    services.GetService<TimeProvider>(),
                    services.GetService<ILoggerFactory>(),
                    services.GetService<IMeterFactory>())
                .GetAwaiter().GetResult();
        }));
        return builder;
    }

    /// <summary>Uses the Redis channel layer on the given servers with default options.</summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="servers">One connection string per server (<c>host:port,password=...</c>).</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder AddRedisLayer(this SwitchyardBuilder builder, params string[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return builder.AddRedisLayer(o =>
        {
            foreach (var server in servers)
            {
                o.Servers.Add(server);
            }
        });
    }
}
