using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
    public async Task With_AbortOnConnectFail_an_unreachable_server_stops_the_hosts_start_naming_it_and_resolving_the_layer_does_no_IO()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSwitchyard().AddRedisLayer(o =>
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

public sealed class RedisLayerOptionsRegistrationTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Configure_of_the_options_reaches_the_layer_after_the_builders_own_configuration()
    {
        var services = new ServiceCollection().AddSwitchyard().AddRedisLayer(o => o.Servers.Add(redis.Servers[0].ConnectionString)).Services;
        services.Configure<RedisChannelLayerOptions>(o =>
        {
            o.Prefix = $"cfg{Guid.NewGuid():N}";
            o.Layer.Capacity = 1;
        });
        await using var provider = services.BuildServiceProvider();

        var layer = provider.GetRequiredService<ChannelLayer>();
        await layer.SendAsync("jobs", new ChannelMessage("jobs", "1"u8.ToArray()), Ct);
        var full = await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync("jobs", new ChannelMessage("jobs", "2"u8.ToArray()), Ct).AsTask());
        Assert.Equal(1, full.Capacity);
    }

    [Fact]
    public async Task Configure_of_the_pub_sub_options_reaches_the_layer()
    {
        var services = new ServiceCollection().AddSwitchyard().AddRedisPubSubLayer(o => o.Servers.Add(redis.Servers[0].ConnectionString)).Services;
        services.Configure<RedisPubSubChannelLayerOptions>(o => o.Layer.MaxMessageSize = 4);
        await using var provider = services.BuildServiceProvider();

        var layer = provider.GetRequiredService<ChannelLayer>();
        await Assert.ThrowsAsync<MessageTooLargeException>(() => layer.SendAsync("jobs", new ChannelMessage("jobs", "12345"u8.ToArray()), Ct).AsTask());
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_naming_every_problem()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSwitchyard().AddRedisLayer(o =>
        {
            o.Prefix = "no spaces";
            o.InboxCapacity = 0;
            o.Layer.Capacity = 0;
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("RedisChannelLayerOptions.Servers needs at least one Redis connection string", error.Message, StringComparison.Ordinal);
        Assert.Contains("RedisChannelLayerOptions.Prefix", error.Message, StringComparison.Ordinal);
        Assert.Contains("RedisChannelLayerOptions.InboxCapacity must be at least 1, not 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("RedisChannelLayerOptions.Layer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_connection_string_stops_the_host_at_start_without_showing_the_password()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSwitchyard().AddRedisPubSubLayer(o => o.Servers.Add("localhost:6379,password=hunter2,colour=blue"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("RedisPubSubChannelLayerOptions.Servers", error.Message, StringComparison.Ordinal);
        Assert.Contains("colour", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
