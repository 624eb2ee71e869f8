using StackExchange.Redis;

namespace Switchyard.Redis;

/// <summary>Where the Redis channel layer keeps its channels and groups, on top of the common layer options.</summary>
public sealed class RedisChannelLayerOptions
{
    /// <summary>
    /// Gets the Redis servers, one StackExchange.Redis connection string each
    /// (<c>host:port,password=...,defaultDatabase=2,ssl=true</c>). One entry may be a Redis Cluster (name any of its
    /// nodes, or several: <c>node-a:7000,node-b:7000</c>); several entries are independent servers (or clusters) that
    /// channels and groups are sharded over by consistent hashing, as channels_redis shards over its hosts.
    /// </summary>
    public IList<string> Servers { get; } = [];

    /// <summary>
    /// Gets or sets a change to every server's StackExchange.Redis configuration, made after its connection string is
    /// read: a certificate check for a private CA (<c>o =&gt; o.TrustIssuer("ca.pem")</c>), a client certificate, a
    /// longer timeout. The layer then sets what it relies on: no backlog (commands fail fast while Redis is away, see
    /// <see cref="ReconnectWait"/>) and a reconnect backoff of 100 ms to 1 s.
    /// </summary>
    public Action<ConfigurationOptions>? ConfigureConnection { get; set; }

    /// <summary>Gets or sets the prefix of every key the layer writes, so several applications can share a Redis. Default <c>switchyard</c>.</summary>
    public string Prefix { get; set; } = "switchyard";

    /// <summary>Gets the keys that seal payloads at rest (AES-256-GCM): encrypt with the first, decrypt with any. Empty: no encryption.</summary>
    public IList<string> EncryptionKeys { get; } = [];

    /// <summary>
    /// Gets or sets how long a send or group send that finds Redis away waits for it to come back before failing with
    /// <see cref="RedisConnectionException"/>. Zero (the default): fail at once. Only sends that never reached Redis
    /// wait and are tried again, so waiting never delivers a message twice.
    /// </summary>
    public TimeSpan ReconnectWait { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Gets or sets whether the layer refuses to start without its servers: <see langword="true"/> makes a server that
    /// cannot be reached at start an error (<see cref="RedisConnectionException"/> naming it). The default
    /// <see langword="false"/> starts the layer anyway, not connected (unhealthy, WebSocket and HTTP consumer requests
    /// refused with 503), and connects in the background when the servers are there, so a process does not die because
    /// Redis is late. A server that refuses the handshake (a wrong password) is an error either way.
    /// </summary>
    public bool AbortOnConnectFail { get; set; }

    /// <summary>
    /// Gets or sets the most entries a process's inbox (where the messages of its process-local channels wait for it)
    /// holds; past it, sends to that process's channels fail as full and group sends skip its members. Only a process
    /// that is gone or far behind reaches it. Default 10,000.
    /// </summary>
    public int InboxCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets how long a channel nobody in this process receives on keeps its subscription (tests shorten it). Default 30 s.</summary>
    internal TimeSpan IdleSubscription { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets capacity, expiry, group expiry and message size, shared with every layer.</summary>
    public ChannelLayerOptions Layer { get; } = new();
}
