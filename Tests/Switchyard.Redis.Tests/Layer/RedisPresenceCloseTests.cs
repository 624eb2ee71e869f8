using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>A layer that closes right after its members left tells their groups first (the events it gathered are not lost with it).</summary>
public sealed class RedisPresenceCloseTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_closing_layer_sends_the_leaves_it_gathered_before_it_closes()
    {
        var prefix = $"close{Guid.NewGuid():N}";
        await using var watcherLayer = await ConnectAsync(prefix, presenceInterval: TimeSpan.FromMilliseconds(250));
        var watcher = await watcherLayer.NewChannelAsync("watcher", Ct);
        await watcherLayer.GroupAddAsync("room.hall", watcher, Ct);

        // An interval far longer than the test: only the close can send this layer's events.
        var closing = await ConnectAsync(prefix, presenceInterval: TimeSpan.FromMinutes(1));
        var member = await closing.NewChannelAsync("member", Ct);
        await closing.JoinPresenceAsync("room.hall", member, "alice", cancellationToken: Ct);
        await closing.GroupDiscardAsync("room.hall", member, Ct);
        await closing.CloseAsync();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var presence = (await watcherLayer.ReceiveAsync(watcher, timeout.Token)).Read<PresenceEvent>();
        Assert.Equal(["alice"], presence.Joins.Select(m => m.UserId));
        Assert.Equal(["alice"], presence.Leaves.Select(m => m.UserId));
        Assert.Equal(1, presence.Count);
    }

    private async Task<RedisChannelLayer> ConnectAsync(string prefix, TimeSpan presenceInterval)
    {
        var options = new RedisChannelLayerOptions { Prefix = prefix };
        options.Servers.Add(redis.Servers[0].ConnectionString);
        options.Layer.WithPresence("room.*");
        options.Layer.PresenceInterval = presenceInterval;
        return await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
    }
}
