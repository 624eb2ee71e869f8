using Microsoft.Extensions.Configuration;
using Switchyard;
using Switchyard.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis channel layer.</summary>
public static class RedisLayerBuilderExtensions
{
    /// <summary>
    /// Uses the Redis channel layer instead of the in-memory one. The layer is made when first resolved and connects to
    /// every server in the background; the host's start waits for the first attempt (a hosted service). A server that
    /// cannot be reached is logged and connected when it is there (the layer reports itself unhealthy until then), or,
    /// with <c>AbortOnConnectFail</c>, stops the host's start with an error naming it.
    /// </summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configure">Adds the servers (<c>o.Servers.Add("redis:6379,password=...")</c>) and sets prefix, encryption keys and layer options.</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder AddRedisLayer(this SwitchyardBuilder builder, Action<RedisChannelLayerOptions> configure)
    {
        return LayerRegistration.Replace<RedisChannelLayerOptions, RedisChannelLayer>(builder, configure, new RedisOptionsValidator(), RedisChannelLayer.Create);
    }

    /// <summary>
    /// Uses the Redis channel layer with its options read from <paramref name="configuration"/> (for example
    /// <c>builder.Configuration.GetSection("Switchyard:Redis")</c>): <c>Servers</c> (one connection string or an array),
    /// <c>Prefix</c>, <c>EncryptionKeys</c>, <c>ReconnectWait</c>, <c>InboxCapacity</c>, <c>AbortOnConnectFail</c>, and under <c>Layer</c>
    /// <c>Capacity</c>, <c>Expiry</c>, <c>GroupExpiry</c>, <c>MaxMessageSize</c>, <c>FullMemberTimeout</c> and <c>ChannelCapacity</c> (an array of
    /// <c>{ "Pattern": ..., "Capacity": ... }</c>, first match wins). Read key by key, without reflection (Native AOT).
    /// </summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <param name="configure">Changes made after the configuration is read, if any.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">A value cannot be read (when the layer is first resolved); the message names its key.</exception>
    public static SwitchyardBuilder AddRedisLayer(this SwitchyardBuilder builder, IConfiguration configuration, Action<RedisChannelLayerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddRedisLayer(options =>
        {
            RedisLayerConfiguration.Bind(configuration, options);
            configure?.Invoke(options);
        });
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
