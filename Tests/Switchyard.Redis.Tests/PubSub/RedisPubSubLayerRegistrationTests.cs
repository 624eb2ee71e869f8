using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.PubSub;

public sealed class RedisPubSubLayerRegistrationTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    [Fact]
    public async Task AddRedisPubSubLayer_replaces_the_in_memory_layer_and_two_layers_on_one_server_share_channels()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"psreg{Guid.NewGuid():N}";
        await using var first = new ServiceCollection().AddSwitchyard().AddRedisPubSubLayer(o =>
        {
            o.Servers.Add(redis.Servers[0].ConnectionString);
            o.Prefix = prefix;
        }).Services.BuildServiceProvider();
        await using var second = new ServiceCollection().AddSwitchyard().AddRedisPubSubLayer(o =>
        {
            o.Servers.Add(redis.Servers[0].ConnectionString);
            o.Prefix = prefix;
        }).Services.BuildServiceProvider();

        var sender = first.GetRequiredService<ChannelLayer>();
        var receiver = second.GetRequiredService<ChannelLayer>();
        Assert.IsType<RedisPubSubChannelLayer>(sender);
        Assert.Equal("redis-pubsub", sender.Name);
        Assert.Equal(ChannelLayerCapabilities.Groups | ChannelLayerCapabilities.Flush | ChannelLayerCapabilities.CrossProcess, sender.Capabilities);
        Assert.NotSame(sender, receiver);

        // A new channel is subscribed once its name is returned, so the other process's send reaches it.
        var reply = await receiver.NewChannelAsync("reply", ct);
        await sender.SendAsync(reply, new ChannelMessage("jobs.resize", "img-1"u8.ToArray()), ct);
        var message = await receiver.ReceiveAsync(reply, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal("img-1"u8.ToArray(), message.Payload.ToArray());
    }

    [Fact]
    public async Task An_unreachable_server_gives_a_layer_that_is_not_connected_and_reports_itself_unhealthy_naming_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = new ServiceCollection().AddLogging().AddSwitchyard().AddRedisPubSubLayer(o => o.Servers.Add("127.0.0.1:1,connectTimeout=500")).Services.BuildServiceProvider();

        var layer = services.GetRequiredService<ChannelLayer>();
        Assert.False(layer.IsConnected);

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("127.0.0.1:1", report.Entries[ChannelLayerHealthCheck.Name].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void With_AbortOnConnectFail_an_unreachable_server_is_an_error_at_resolution_naming_it()
    {
        using var services = new ServiceCollection().AddSwitchyard().AddRedisPubSubLayer(o =>
        {
            o.Servers.Add("127.0.0.1:1,connectTimeout=500");
            o.AbortOnConnectFail = true;
        }).Services.BuildServiceProvider();
        var error = Assert.Throws<RedisConnectionException>(() => services.GetRequiredService<ChannelLayer>());
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
