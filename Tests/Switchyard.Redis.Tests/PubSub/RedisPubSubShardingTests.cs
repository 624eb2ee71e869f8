using System.Text;
using Switchyard.Redis.Tests.Support;
using ConnectionMultiplexer = StackExchange.Redis.ConnectionMultiplexer;
using RedisChannel = StackExchange.Redis.RedisChannel;
using Xunit;

namespace Switchyard.Redis.Tests.PubSub;

/// <summary>The pub/sub layer sharded over three servers: each name publishes and subscribes on its own server only.</summary>
public sealed class RedisPubSubShardingTests(ThreeRedisServers redis) : IClassFixture<ThreeRedisServers>
{
    [Fact]
    public async Task Channels_and_groups_spread_over_the_servers_and_local_channels_of_one_process_share_one()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"shard{Guid.NewGuid():N}";
        await using var receiver = await PubSubLayers.CreateAsync(redis.Servers, prefix);
        await using var sender = await PubSubLayers.CreateAsync(redis.Servers, prefix);
        var channels = Enumerable.Range(0, 12).Select(i => $"jobs.c{i}").ToArray();
        var locals = Enumerable.Range(0, 6).Select(i => $"specific.p1!c{i}").ToArray();
        var groups = Enumerable.Range(0, 3).Select(i => $"room{i}").ToArray();
        var members = channels.Concat(locals).ToArray();
        string GroupOf(string member) => groups[Array.IndexOf(members, member) % groups.Length];

        foreach (var member in members)
        {
            // A group add subscribes the member channel (and the group) before it returns.
            await receiver.GroupAddAsync(GroupOf(member), member, ct);
        }

        // Each key is subscribed on exactly one server; the process-local channels all on the same one.
        var homes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in channels.Concat(locals).Select(c => $"{prefix}:ps:{c}").Concat(groups.Select(g => $"{prefix}:psg:{g}")))
        {
            var counts = new List<long>();
            foreach (var server in redis.Servers)
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
                counts.Add(await probe.GetServers()[0].SubscriptionSubscriberCountAsync(RedisChannel.Literal(name)));
            }

            Assert.True(counts.Sum() == 1, $"'{name}' is subscribed on {counts.Sum()} servers, not one.");
            homes[name] = counts.IndexOf(1);
        }

        Assert.Single(locals.Select(c => homes[$"{prefix}:ps:{c}"]).Distinct());
        Assert.True(channels.Select(c => homes[$"{prefix}:ps:{c}"]).Distinct().Count() > 1, "Twelve channels all landed on one of three servers.");

        foreach (var channel in members)
        {
            await sender.SendAsync(channel, new ChannelMessage("t", Encoding.UTF8.GetBytes(channel)), ct);
        }

        foreach (var channel in members)
        {
            Assert.Equal(channel, Encoding.UTF8.GetString((await receiver.ReceiveAsync(channel, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct)).Payload.Span));
        }

        var room = groups[0];
        Assert.Equal(new GroupSendResult(1, 0), await sender.GroupSendAsync(room, new ChannelMessage("t", "to the room"u8.ToArray()), ct));
        foreach (var member in members.Where(m => GroupOf(m) == room))
        {
            Assert.Equal("to the room", Encoding.UTF8.GetString((await receiver.ReceiveAsync(member, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct)).Payload.Span));
        }
    }
}
