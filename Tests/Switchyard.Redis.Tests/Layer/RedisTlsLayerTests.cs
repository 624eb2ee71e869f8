using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>The Redis layer over TLS to a redis-server whose certificate a private CA signed (made by openssl for the test).</summary>
public sealed class RedisTlsLayerTests(TlsRedisServer redis) : IClassFixture<TlsRedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Trusting_the_servers_CA_the_layer_sends_receives_and_group_sends_over_TLS()
    {
        var options = new RedisChannelLayerOptions { Prefix = $"tls{Guid.NewGuid():N}", AbortOnConnectFail = true };
        options.Servers.Add(redis.Server.ConnectionString);
        options.ConfigureConnection = c => c.TrustIssuer(redis.Server.CaCertificatePath);
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);

        await layer.SendAsync("jobs.secure", new ChannelMessage("jobs.secure", "over tls"u8.ToArray()), Ct);
        Assert.Equal("over tls"u8.ToArray(), (await layer.ReceiveAsync("jobs.secure", Ct)).Payload.ToArray());

        var member = await layer.NewChannelAsync(cancellationToken: Ct);
        await layer.GroupAddAsync("room", member, Ct);
        await layer.GroupSendAsync("room", new ChannelMessage("room.say", "to the room"u8.ToArray()), Ct);
        Assert.Equal("to the room"u8.ToArray(), (await layer.ReceiveAsync(member, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct)).Payload.ToArray());
        Assert.True(layer.IsConnected);
    }

    [Fact]
    public async Task A_server_certificate_nobody_trusts_stops_a_layer_that_must_not_start_without_Redis()
    {
        var options = new RedisChannelLayerOptions { Prefix = "untrusted", AbortOnConnectFail = true };
        options.Servers.Add(redis.Server.ConnectionString + ",connectTimeout=2000");

        var error = await Assert.ThrowsAnyAsync<RedisLayerException>(() => RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct));
        Assert.Contains($"127.0.0.1:{redis.Server.Port}", error.Message, StringComparison.Ordinal);
    }
}
