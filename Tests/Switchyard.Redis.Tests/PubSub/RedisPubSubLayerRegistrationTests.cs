using Microsoft.Extensions.DependencyInjection;
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
    public void An_unreachable_server_is_an_error_at_resolution_naming_it()
    {
        using var services = new ServiceCollection().AddSwitchyard().AddRedisPubSubLayer(o => o.Servers.Add("127.0.0.1:1,connectTimeout=500")).Services.BuildServiceProvider();
        var error = Assert.Throws<RedisConnectionException>(() => services.GetRequiredService<ChannelLayer>());
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
