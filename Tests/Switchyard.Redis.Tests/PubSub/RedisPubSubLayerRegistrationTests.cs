using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
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
    public async Task With_AbortOnConnectFail_an_unreachable_server_stops_the_hosts_start_naming_it_and_resolving_the_layer_does_no_IO()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSwitchyard().AddRedisPubSubLayer(o =>
        {
            o.Servers.Add("127.0.0.1:1,connectTimeout=500");
            o.AbortOnConnectFail = true;
        });
        using var host = builder.Build();

        // Made without connecting (no blocking call in the DI factory); not connected yet.
        Assert.False(host.Services.GetRequiredService<ChannelLayer>().IsConnected);

        // The hosted service waits for the first attempt: the start fails with the error, naming the server.
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
