using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>The channel-layer conformance kit, unchanged, against the Redis layer on a Redis Cluster.</summary>
public abstract class ClusterRedisChannelLayerConformanceTests(RedisClusters redis) : ChannelLayerSpecificationTests
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    protected override async ValueTask<ChannelLayer> CreateLayerAsync(ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory) =>
        await RedisLayers.CreateAsync([redis.Cluster.ConnectionString], _prefix, options, timeProvider, meterFactory);
}

/// <summary>The conformance kit on a cluster of three masters, the keys spread over them by their hash slots.</summary>
public sealed class ThreeMasterClusterRedisChannelLayerConformanceTests(ThreeMasterRedisCluster redis) : ClusterRedisChannelLayerConformanceTests(redis), IClassFixture<ThreeMasterRedisCluster>;

/// <summary>
/// The conformance kit on a cluster of one master that owns every slot: still a cluster to the layer (group sends go
/// per hash slot), though every key is on one server.
/// </summary>
public sealed class OneMasterClusterRedisChannelLayerConformanceTests(OneMasterRedisCluster redis) : ClusterRedisChannelLayerConformanceTests(redis), IClassFixture<OneMasterRedisCluster>;

/// <summary>
/// The layer on a Redis Cluster losing one of its masters (no replica): what that master held is gone, what the
/// others hold is kept, the layer says it is not connected, and a send made meanwhile waits (ReconnectWait) and
/// goes through once the master is back.
/// </summary>
public sealed class RedisClusterLayerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private RedisCluster _cluster = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _cluster = await RedisCluster.StartAsync(3, nodeTimeout: TimeSpan.FromSeconds(1));

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Losing_a_master_loses_its_queued_messages_keeps_the_others_and_a_waiting_send_goes_through_when_it_is_back()
    {
        var options = new RedisChannelLayerOptions { Prefix = "kill", ReconnectWait = TimeSpan.FromSeconds(20) };
        options.Servers.Add(_cluster.ConnectionString);
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        layer.ConnectionChanged += (_, e) => changes.Writer.TryWrite(e.IsConnected);

        // Two channels whose lists live on different masters (a key's slot is its name, the hash tag).
        var (lost, kept) = ChannelsOnDifferentMasters();
        await layer.SendAsync(lost, new ChannelMessage(lost, "on the lost master"u8.ToArray()), Ct);
        await layer.SendAsync(kept, new ChannelMessage(kept, "on a surviving master"u8.ToArray()), Ct);

        var victim = _cluster.NodeIndexForKey(lost);
        await _cluster.KillMasterAsync(victim);
        Assert.False(await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.False(layer.IsConnected);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, (await layer.CheckHealthAsync(Ct)).Status);

        // A send to the lost master's slots never reaches Redis: it waits for the master, within ReconnectWait.
        var waiting = layer.SendAsync(lost, new ChannelMessage(lost, "sent while it was down"u8.ToArray()), Ct).AsTask();
        await _cluster.RestartMasterAsync(victim);
        await waiting.WaitAsync(Timeout, Ct);
        Assert.True(await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));

        // The restarted master came back empty (no persistence, no replica): only the message sent since is there.
        Assert.Equal("sent while it was down"u8.ToArray(), (await layer.ReceiveAsync(lost, Ct).AsTask().WaitAsync(Timeout, Ct)).Payload.ToArray());
        Assert.Equal("on a surviving master"u8.ToArray(), (await layer.ReceiveAsync(kept, Ct).AsTask().WaitAsync(Timeout, Ct)).Payload.ToArray());
    }

    [Fact]
    public async Task Without_ReconnectWait_a_send_to_a_lost_master_fails_at_once_saying_it_never_reached_Redis()
    {
        var options = new RedisChannelLayerOptions { Prefix = "fast" };
        options.Servers.Add(_cluster.ConnectionString);
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
        var (lost, _) = ChannelsOnDifferentMasters();
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        layer.ConnectionChanged += (_, e) =>
        {
            if (!e.IsConnected)
            {
                down.TrySetResult();
            }
        };

        await _cluster.KillMasterAsync(_cluster.NodeIndexForKey(lost));
        await down.Task.WaitAsync(Timeout, Ct);

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => layer.SendAsync(lost, new ChannelMessage(lost, "x"u8.ToArray()), Ct).AsTask());
        Assert.False(error.CommandMayHaveRun);
    }

    private (string Lost, string Kept) ChannelsOnDifferentMasters()
    {
        var lost = "jobs.a";
        var kept = Enumerable.Range(0, 100).Select(i => $"jobs.b{i}").First(name => _cluster.NodeIndexForKey(name) != _cluster.NodeIndexForKey(lost));
        return (lost, kept);
    }
}
