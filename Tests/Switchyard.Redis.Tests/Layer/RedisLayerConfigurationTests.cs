using Switchyard.Redis.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>The Redis layer's options read from configuration.</summary>
public sealed class RedisLayerConfigurationTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    [Fact]
    public void Every_option_is_read_from_its_key_and_lists_keep_their_array_order()
    {
        var options = new RedisChannelLayerOptions();

        RedisLayerConfiguration.Bind(Section(new()
        {
            ["Servers:1"] = "b:6379,password=x",
            ["Servers:0"] = "a:6379",
            ["Prefix"] = "app",
            ["EncryptionKeys:0"] = "new",
            ["EncryptionKeys:1"] = "old",
            ["InboxCapacity"] = "500",
            ["ReconnectWait"] = "00:00:05",
            ["AbortOnConnectFail"] = "true",
            ["Layer:Capacity"] = "7",
            ["Layer:Expiry"] = "00:00:30",
            ["Layer:GroupExpiry"] = "01:00:00",
            ["Layer:MaxMessageSize"] = "2048",
            ["Layer:ChannelCapacity:0:Pattern"] = "http.response!*",
            ["Layer:ChannelCapacity:0:Capacity"] = "1",
            ["Layer:ChannelCapacity:1:Pattern"] = "http.*",
            ["Layer:ChannelCapacity:1:Capacity"] = "3",
        }), options);

        Assert.Equal(["a:6379", "b:6379,password=x"], options.Servers);
        Assert.Equal("app", options.Prefix);
        Assert.Equal(["new", "old"], options.EncryptionKeys);
        Assert.Equal(500, options.InboxCapacity);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ReconnectWait);
        Assert.True(options.AbortOnConnectFail);
        Assert.Equal(7, options.Layer.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Layer.Expiry);
        Assert.Equal(TimeSpan.FromHours(1), options.Layer.GroupExpiry);
        Assert.Equal(2048, options.Layer.MaxMessageSize);
        Assert.Equal(1, options.Layer.GetCapacity("http.response!abc"));
        Assert.Equal(3, options.Layer.GetCapacity("http.request"));
        Assert.Equal(7, options.Layer.GetCapacity("chat.lobby"));
    }

    [Fact]
    public void One_server_may_be_given_as_a_single_value_and_missing_keys_keep_the_defaults()
    {
        var options = new RedisChannelLayerOptions();

        RedisLayerConfiguration.Bind(Section(new() { ["Servers"] = "localhost:6379,password=a,b" }), options);

        Assert.Equal(["localhost:6379,password=a,b"], options.Servers);
        Assert.Equal("switchyard", options.Prefix);
        Assert.Equal(100, options.Layer.Capacity);
        Assert.Equal(TimeSpan.Zero, options.ReconnectWait);
        Assert.False(options.AbortOnConnectFail);
    }

    [Theory]
    [InlineData("Layer:Capacity", "many", "Switchyard:Redis:Layer:Capacity", "whole number")]
    [InlineData("ReconnectWait", "5 seconds", "Switchyard:Redis:ReconnectWait", "duration")]
    [InlineData("AbortOnConnectFail", "yes", "Switchyard:Redis:AbortOnConnectFail", "true or false")]
    [InlineData("Layer:ChannelCapacity:0:Capacity", "2", "Switchyard:Redis:Layer:ChannelCapacity:0", "Pattern")]
    public void A_value_that_cannot_be_read_is_an_error_naming_its_key(string key, string value, string path, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => RedisLayerConfiguration.Bind(Section(new() { [key] = value }), new RedisChannelLayerOptions()));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRedisLayer_from_configuration_connects_with_the_configured_prefix_and_capacity()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"cfg{Guid.NewGuid():N}";
        await using var services = new ServiceCollection()
            .AddSwitchyard()
            .AddRedisLayer(Section(new() { ["Servers:0"] = redis.Servers[0].ConnectionString, ["Prefix"] = prefix, ["Layer:Capacity"] = "1" }))
            .Services.BuildServiceProvider();

        var layer = Assert.IsType<RedisChannelLayer>(services.GetRequiredService<ChannelLayer>());
        await layer.SendAsync("jobs.configured", new ChannelMessage("jobs.configured", new byte[] { 1 }), ct);
        await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync("jobs.configured", new ChannelMessage("jobs.configured", new byte[] { 2 }), ct).AsTask());

        await using var probe = await RedisProbe.ConnectAsync(redis.Servers[0].ConnectionString);
        Assert.Equal(1, (await probe.ExecuteAsync(["EXISTS", $"{prefix}:ch:{{jobs.configured}}"], ct)).AsInteger());
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(kv => KeyValuePair.Create("Switchyard:Redis:" + kv.Key, kv.Value)))
            .Build()
            .GetSection("Switchyard:Redis");
}
