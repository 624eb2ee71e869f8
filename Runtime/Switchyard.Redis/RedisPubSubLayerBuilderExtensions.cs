using Switchyard.Redis;

namespace Switchyard;

/// <summary>Registers the Redis pub/sub channel layer.</summary>
public static class RedisPubSubLayerBuilderExtensions
{
    /// <summary>
    /// Uses the Redis pub/sub channel layer instead of the in-memory one: lowest latency, at most once, to listening
    /// processes only (see <see cref="RedisPubSubChannelLayer"/> for what it does not guarantee). The layer connects to
    /// every server when it is first resolved (at startup in a server app); a server that cannot be reached is logged and
    /// connected in the background (the layer reports itself unhealthy until then), or, with <c>AbortOnConnectFail</c>, an
    /// error then, naming it.
    /// </summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configure">Adds the servers (<c>o.Servers.Add("redis:6379,password=...")</c>) and sets prefix, encryption keys and layer options.</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder AddRedisPubSubLayer(this SwitchyardBuilder builder, Action<RedisPubSubChannelLayerOptions> configure)
    {
        return LayerRegistration.Replace<RedisPubSubChannelLayerOptions>(
            builder,
            configure,
            async (options, time, logs, meters) => await RedisPubSubChannelLayer.ConnectAsync(options, time, logs, meters).ConfigureAwait(false));
    }
}
