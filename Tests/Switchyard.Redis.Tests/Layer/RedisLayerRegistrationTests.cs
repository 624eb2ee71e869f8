using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

public sealed class RedisLayerRegistrationTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    [Fact]
    public async Task AddRedisLayer_replaces_the_in_memory_layer_and_two_layers_on_one_server_share_channels()
    {
        var prefix = $"reg{Guid.NewGuid():N}";
        await using var first = new ServiceCollection().AddSwitchyard().AddRedisLayer(o =>
        {
            o.Servers.Add(redis.Servers[0].ConnectionString);
            o.Prefix = prefix;
        }).Services.BuildServiceProvider();
        await using var second = new ServiceCollection().AddSwitchyard().AddRedisLayer(o =>
        {
            o.Servers.Add(redis.Servers[0].ConnectionString);
            o.Prefix = prefix;
        }).Services.BuildServiceProvider();

        var sender = first.GetRequiredService<ChannelLayer>();
        var receiver = second.GetRequiredService<ChannelLayer>();
        Assert.IsType<RedisChannelLayer>(sender);
        Assert.NotSame(sender, receiver);

        var receive = receiver.ReceiveAsync("jobs.resize", TestContext.Current.CancellationToken).AsTask();
        await sender.SendAsync("jobs.resize", new ChannelMessage("jobs.resize", "img-1"u8.ToArray()), TestContext.Current.CancellationToken);
        var message = await receive.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal("img-1"u8.ToArray(), message.Payload.ToArray());
    }

    [Fact]
    public async Task An_unreachable_server_gives_a_layer_that_is_not_connected_and_reports_itself_unhealthy_naming_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = new ServiceCollection().AddLogging().AddSwitchyard().AddRedisLayer("127.0.0.1:1,connectTimeout=500").Services.BuildServiceProvider();

        var layer = services.GetRequiredService<ChannelLayer>();
        Assert.False(layer.IsConnected);

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("127.0.0.1:1", report.Entries[ChannelLayerHealthCheck.Name].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void With_AbortOnConnectFail_an_unreachable_server_is_an_error_at_resolution_naming_it()
    {
        using var services = new ServiceCollection().AddSwitchyard().AddRedisLayer(o =>
        {
            o.Servers.Add("127.0.0.1:1,connectTimeout=500");
            o.AbortOnConnectFail = true;
        }).Services.BuildServiceProvider();
        var error = Assert.Throws<RedisConnectionException>(() => services.GetRequiredService<ChannelLayer>());
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
