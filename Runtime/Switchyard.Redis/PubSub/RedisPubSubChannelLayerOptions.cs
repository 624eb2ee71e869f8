using StackExchange.Redis;

namespace Switchyard.Redis;

/// <summary>Where the Redis pub/sub channel layer publishes, on top of the common layer options.</summary>
public sealed class RedisPubSubChannelLayerOptions
{
    /// <summary>
    /// Gets the Redis servers, one StackExchange.Redis connection string each (<c>host:port,password=...,defaultDatabase=N,ssl=true,connectTimeout=...,asyncTimeout=...</c>;
    /// several <c>host:port</c> of one Redis Cluster make one entry); names are sharded over the entries by consistent hashing.
    /// </summary>
    public IList<string> Servers { get; } = [];

    /// <summary>
    /// Gets or sets a change to every server's StackExchange.Redis configuration, made after its connection string is
    /// read (a private CA's certificate check, a client certificate), as <see cref="RedisChannelLayerOptions.ConfigureConnection"/>.
    /// </summary>
    public Action<ConfigurationOptions>? ConfigureConnection { get; set; }

    /// <summary>Gets or sets the prefix of every Redis channel the layer publishes on, so several applications can share a Redis. Default <c>switchyard</c>.</summary>
    public string Prefix { get; set; } = "switchyard";

    /// <summary>Gets the keys that seal payloads on the wire (AES-256-GCM): encrypt with the first, decrypt with any. Empty: no encryption.</summary>
    public IList<string> EncryptionKeys { get; } = [];

    /// <summary>
    /// Gets or sets whether the layer refuses to start without its servers: <see langword="true"/> makes a server that
    /// cannot be reached at start an error (<see cref="RedisConnectionException"/> naming it). The default
    /// <see langword="false"/> starts the layer anyway, not connected, and connects in the background when the servers
    /// are there. A server that refuses the handshake (a wrong password) is an error either way.
    /// </summary>
    public bool AbortOnConnectFail { get; set; }

    /// <summary>
    /// Gets or sets how long a channel nobody in this process receives on keeps its subscription and its buffer before
    /// both are dropped (with the messages in it, logged). Default 30 s; tests shorten it.
    /// </summary>
    internal TimeSpan IdleSubscription { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets the common layer options. Only <see cref="ChannelLayerOptions.MaxMessageSize"/> applies: this layer has no
    /// capacity and no expiry, so <see cref="ChannelLayerOptions.Capacity"/>, <see cref="ChannelLayerOptions.Expiry"/>
    /// and <see cref="ChannelLayerOptions.GroupExpiry"/> are validated but not enforced.
    /// </summary>
    public ChannelLayerOptions Layer { get; } = new();
}
