using Switchyard;
using Switchyard.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis pub/sub channel layer.</summary>
public static class RedisPubSubLayerBuilderExtensions
{
    /// <summary>
    /// Uses the Redis pub/sub channel layer instead of the in-memory one: lowest latency, at most once, to listening
    /// processes only (see <see cref="RedisPubSubChannelLayer"/> for what it does not guarantee). The layer is made when
    /// first resolved and connects to every server in the background; the host's start waits for the first attempt (a
    /// hosted service). A server that cannot be reached is logged and connected when it is there (the layer reports
    /// itself unhealthy until then), or, with <c>AbortOnConnectFail</c>, stops the host's start with an error naming it.
    /// </summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configure">Adds the servers (<c>o.Servers.Add("redis:6379,password=...")</c>) and sets prefix, encryption keys and layer options.</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder AddRedisPubSubLayer(this SwitchyardBuilder builder, Action<RedisPubSubChannelLayerOptions> configure)
    {
        return LayerRegistration.Replace<RedisPubSubChannelLayerOptions, RedisPubSubChannelLayer>(builder, configure, new RedisOptionsValidator(), RedisPubSubChannelLayer.Create);
    }
}
