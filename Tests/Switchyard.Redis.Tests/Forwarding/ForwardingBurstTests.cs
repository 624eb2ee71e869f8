using System.Diagnostics.Metrics;
using System.Text;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Layer;
using Switchyard.Redis.Tests.PubSub;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Forwarding;

/// <summary>
/// The forwarding path under bursts on a real redis-server (issue 11): every member with a forwarder gets every group
/// message exactly once and in order, the frame is made once per process, a member that is full holds up only itself,
/// and one that never has room is offered each message without waiting after the full-member timeout. Each burst ends
/// with a marker: a member's order is kept, so once the marker is there everything before it is too, and a duplicate
/// or a gap shows in the list.
/// </summary>
public abstract class ForwardingBurstTests(RedisServers redis) : IAsyncDisposable
{
    private const string EndMarker = "end";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _prefix = $"fb{Guid.NewGuid():N}";
    private readonly List<ChannelLayer> _layers = [];
    private readonly List<IDisposable> _disposables = [];
    private readonly TestMeterFactory _meters = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        _disposables.ForEach(d => d.Dispose());
        foreach (var layer in _layers)
        {
            await layer.DisposeAsync();
        }

        _meters.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_burst_of_2000_group_sends_reaches_100_forwarders_of_one_process_complete_in_order_and_encoded_once_each()
    {
        using var metrics = new MetricCollector(_meters);
        var receiver = await NewLayerAsync();
        var sender = await NewLayerAsync();
        var frames = new FrameCounter();
        var members = await AttachMembersAsync(receiver, "burst", 100, frames);

        var expected = await SendBurstAsync(sender, "burst", 2_000);

        await AssertEveryMemberGotAsync(members, expected);
        Assert.Equal(expected.Length, frames.Encodes);
        Assert.Equal(0, metrics.Total("switchyard.layer.messages.dropped"));
    }

    [Fact]
    public async Task A_burst_of_200_group_sends_reaches_1000_forwarders_of_one_process_complete_and_in_order()
    {
        var receiver = await NewLayerAsync();
        var sender = await NewLayerAsync();
        var frames = new FrameCounter();
        var members = await AttachMembersAsync(receiver, "large", 1_000, frames);

        var expected = await SendBurstAsync(sender, "large", 200);

        await AssertEveryMemberGotAsync(members, expected);
        Assert.Equal(expected.Length, frames.Encodes);
    }

    [Fact]
    public async Task A_burst_to_members_in_two_processes_reaches_each_member_once_in_order_and_is_encoded_once_per_process()
    {
        var first = await NewLayerAsync();
        var second = await NewLayerAsync();
        var sender = await NewLayerAsync();
        var frames = new FrameCounter();
        var members = new List<RecordingForwarder>();
        members.AddRange(await AttachMembersAsync(first, "two", 50, frames));
        members.AddRange(await AttachMembersAsync(second, "two", 50, frames));

        var expected = await SendBurstAsync(sender, "two", 2_000);

        await AssertEveryMemberGotAsync(members, expected);
        Assert.Equal(2 * expected.Length, frames.Encodes);
    }

    [Fact]
    public async Task A_member_that_is_full_holds_up_only_itself_and_gets_everything_in_order_once_it_has_room()
    {
        var receiver = await NewLayerAsync(new ChannelLayerOptions { FullMemberTimeout = TimeSpan.FromSeconds(50) });
        var sender = await NewLayerAsync();
        var members = await AttachMembersAsync(receiver, "stuck", 20, new FrameCounter());
        var slow = new RecordingForwarder(full: true);
        await AttachAsync(receiver, "stuck", slow);

        var expected = await SendBurstAsync(sender, "stuck", 2_000);

        // Every other member has the whole burst while the full one still waits for room.
        await AssertEveryMemberGotAsync(members, expected);
        Assert.Empty(slow.Forwarded);
        Assert.True(slow.FullAnswers >= 1);

        slow.MakeRoom();
        await AssertEveryMemberGotAsync([slow], expected);
        Assert.Empty(slow.Dropped);
    }

    [Fact]
    public async Task A_member_that_never_has_room_is_offered_each_message_without_waiting_after_the_timeout_and_the_others_get_everything()
    {
        var receiver = await NewLayerAsync(new ChannelLayerOptions { FullMemberTimeout = TimeSpan.FromMilliseconds(200) });
        var sender = await NewLayerAsync();
        var members = await AttachMembersAsync(receiver, "slow", 20, new FrameCounter());
        var slow = new RecordingForwarder(full: true);
        await AttachAsync(receiver, "slow", slow);

        var sentAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var expected = await SendBurstAsync(sender, "slow", 2_000);

        await AssertEveryMemberGotAsync(members, expected);
        await slow.WaitDroppedAsync(expected.Length, Timeout);
        Assert.Equal(expected, slow.Dropped);
        Assert.Empty(slow.Forwarded);

        // The timeout counts from the send (a message that sat in Redis has used part of it), so the first message is
        // dropped no sooner than FullMemberTimeout after it was sent (less the millisecond clocks' rounding).
        var waited = System.Diagnostics.Stopwatch.GetElapsedTime(sentAt, slow.DroppedAt(expected[0])!.Value);
        Assert.True(waited >= TimeSpan.FromMilliseconds(190), $"The first message was dropped {waited} after it was sent.");
    }

    /// <summary>Connects a layer of the kind under test to the test's servers, with the test's prefix.</summary>
    protected abstract Task<ChannelLayer> ConnectAsync(IReadOnlyList<RedisServer> servers, string prefix, ChannelLayerOptions options, IMeterFactory meterFactory);

    private static async Task<string[]> SendBurstAsync(ChannelLayer sender, string group, int count)
    {
        var expected = new string[count + 1];
        for (var i = 0; i < count; i++)
        {
            expected[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await sender.GroupSendAsync(group, new ChannelMessage("burst.item", Encoding.UTF8.GetBytes(expected[i])), Ct);
        }

        expected[count] = EndMarker;
        await sender.GroupSendAsync(group, new ChannelMessage("burst.item", Encoding.UTF8.GetBytes(EndMarker)), Ct);
        return expected;
    }

    private static async Task AssertEveryMemberGotAsync(IReadOnlyList<RecordingForwarder> members, string[] expected)
    {
        foreach (var member in members)
        {
            await member.WaitForwardedAsync(expected.Length, Timeout);
        }

        foreach (var member in members)
        {
            // Order is kept per member: with the marker in, anything missing, doubled or out of order shows here.
            Assert.Equal(expected, member.Forwarded);
        }
    }

    private async Task<List<RecordingForwarder>> AttachMembersAsync(ChannelLayer layer, string group, int count, FrameCounter frames)
    {
        var members = new List<RecordingForwarder>(count);
        for (var i = 0; i < count; i++)
        {
            var forwarder = new RecordingForwarder(frames);
            await AttachAsync(layer, group, forwarder);
            members.Add(forwarder);
        }

        return members;
    }

    private async Task AttachAsync(ChannelLayer layer, string group, RecordingForwarder forwarder)
    {
        var channel = await layer.NewChannelAsync(cancellationToken: Ct);
        _disposables.Add(layer.AttachForwarder(channel, forwarder));
        await layer.GroupAddAsync(group, channel, Ct);
    }

    private async Task<ChannelLayer> NewLayerAsync(ChannelLayerOptions? options = null)
    {
        var layer = await ConnectAsync(redis.Servers, _prefix, options ?? new ChannelLayerOptions(), _meters);
        _layers.Add(layer);
        return layer;
    }
}

/// <summary>Bursts through the Redis layer's process inboxes, on one server.</summary>
public sealed class RedisForwardingBurstTests(OneRedisServer redis) : ForwardingBurstTests(redis), IClassFixture<OneRedisServer>
{
    protected override async Task<ChannelLayer> ConnectAsync(IReadOnlyList<RedisServer> servers, string prefix, ChannelLayerOptions options, IMeterFactory meterFactory) =>
        await RedisLayers.CreateAsync(servers, prefix, options, TimeProvider.System, meterFactory);
}

/// <summary>Bursts through the Redis layer's process inboxes, sharded over three servers.</summary>
public sealed class ShardedRedisForwardingBurstTests(ThreeRedisServers redis) : ForwardingBurstTests(redis), IClassFixture<ThreeRedisServers>
{
    protected override async Task<ChannelLayer> ConnectAsync(IReadOnlyList<RedisServer> servers, string prefix, ChannelLayerOptions options, IMeterFactory meterFactory) =>
        await RedisLayers.CreateAsync(servers, prefix, options, TimeProvider.System, meterFactory);
}

/// <summary>Bursts through the pub/sub layer's subscriptions.</summary>
public sealed class PubSubForwardingBurstTests(OneRedisServer redis) : ForwardingBurstTests(redis), IClassFixture<OneRedisServer>
{
    protected override async Task<ChannelLayer> ConnectAsync(IReadOnlyList<RedisServer> servers, string prefix, ChannelLayerOptions options, IMeterFactory meterFactory) =>
        await PubSubLayers.CreateAsync(servers, prefix, options, TimeProvider.System, meterFactory);
}
