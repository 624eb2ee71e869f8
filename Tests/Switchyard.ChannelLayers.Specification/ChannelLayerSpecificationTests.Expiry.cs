using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Message expiry and group-membership expiry, driven by the <see cref="ManualTimeProvider"/>.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    private const string ExpiredInstrument = "switchyard.layer.messages.expired";

    private static readonly TimeSpan ShortExpiry = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan JustOver = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task An_unread_message_is_not_delivered_after_expiry()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var channel = Name("expire");

        await layer.SendAsync(channel, Message("stale"));
        Time.Advance(ShortExpiry + JustOver);

        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task A_message_received_just_before_expiry_is_delivered()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var channel = Name("fresh");

        await layer.SendAsync(channel, Message("just in time"));
        Time.Advance(ShortExpiry - JustOver);

        Assert.Equal("just in time", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task The_default_expiry_is_60_seconds()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var channel = Name("default-expiry");

        await layer.SendAsync(channel, Message("kept"));
        await layer.SendAsync(Name("other"), Message("dropped"));
        Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("kept", await ReceiveTextAsync(layer, channel));

        Time.Advance(TimeSpan.FromSeconds(1) + JustOver);
        await AssertNothingArrivesAsync(layer, Name("other"));
    }

    [Fact]
    public async Task Only_the_expired_messages_of_a_channel_are_dropped()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var channel = Name("partial");

        await layer.SendAsync(channel, Message("old"));
        Time.Advance(TimeSpan.FromSeconds(6));
        await layer.SendAsync(channel, Message("new"));
        Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("new", await ReceiveTextAsync(layer, channel));
        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task Expired_messages_are_counted_in_the_expired_metric()
    {
        using var metrics = new MetricCollector(MeterFactory);
        var layer = await NewLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var channel = Name("counted");

        await layer.SendAsync(channel, Message("1"));
        await layer.SendAsync(channel, Message("2"));
        await layer.SendAsync(channel, Message("3"));
        Assert.Equal(0, metrics.Total(ExpiredInstrument));
        Time.Advance(ShortExpiry + JustOver);
        await AssertNothingArrivesAsync(layer, channel);

        Assert.Equal(3, metrics.Total(ExpiredInstrument));
        Assert.Equal(3, metrics.Total(ExpiredInstrument, "switchyard.layer", layer.Name));
        Assert.Equal(0, metrics.Total("switchyard.layer.messages.received"));
    }

    [Fact]
    public async Task Expired_messages_free_the_channel_capacity()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry, Capacity = 2 });
        RequireCapability(layer, ChannelLayerCapabilities.Capacity | ChannelLayerCapabilities.Expiry);
        var channel = Name("refill");

        await FillAsync(layer, channel, 2);
        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(channel, Message("x")));
        Time.Advance(ShortExpiry + JustOver);

        await layer.SendAsync(channel, Message("a"));
        await layer.SendAsync(channel, Message("b"));

        Assert.Equal("a", await ReceiveTextAsync(layer, channel));
        Assert.Equal("b", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task A_waiting_receive_is_not_subject_to_expiry()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry });
        var channel = Name("patient");
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var receive = layer.ReceiveAsync(channel, timeout.Token).AsTask();
        Time.Advance(ShortExpiry * 3);
        Assert.False(receive.IsCompleted);
        await layer.SendAsync(channel, Message("worth the wait"));

        Assert.Equal("worth the wait", Text(await receive.WaitAsync(WaitTimeout)));
    }

    [Fact]
    public async Task Group_sent_messages_expire_too()
    {
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var group = Name("group");
        var channel = Name("member");

        await layer.GroupAddAsync(group, channel);
        await layer.GroupSendAsync(group, Message("stale"));
        Time.Advance(ShortExpiry + JustOver);

        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task A_channel_whose_message_expired_unread_stays_in_every_group()
    {
        // One rule for every layer, as channels_redis has it: a channel stays in its groups until the group expiry or a
        // discard. An expired message says its consumer was slow once, not that it has gone; a consumer that is still
        // there must not silently stop getting its groups' messages.
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry | ChannelLayerCapabilities.GroupMemberCounts);
        var first = Name("g1");
        var second = Name("g2");
        var slow = Name("slow");
        var alive = Name("alive");
        await layer.GroupAddAsync(first, slow);
        await layer.GroupAddAsync(second, slow);
        await layer.GroupAddAsync(first, alive);

        await layer.SendAsync(slow, Message("never read"));
        Time.Advance(ShortExpiry + JustOver);
        await AssertNothingArrivesAsync(layer, slow);

        Assert.Equal(new GroupSendResult(2, 0), await layer.GroupSendAsync(first, Message("to g1")));
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(second, Message("to g2")));
        Assert.Equal("to g1", await ReceiveTextAsync(layer, alive));
        Assert.Equal("to g1", await ReceiveTextAsync(layer, slow));
        Assert.Equal("to g2", await ReceiveTextAsync(layer, slow));
    }

    [Fact]
    public async Task A_group_send_after_a_member_message_expired_still_reaches_that_member()
    {
        // The expired message is dropped (and counted) when the group send meets it; the member is not.
        using var metrics = new MetricCollector(MeterFactory);
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { Expiry = ShortExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry | ChannelLayerCapabilities.GroupMemberCounts);
        var group = Name("group");
        var slow = await LocalNameAsync(layer, "slow", "x");
        var alive = Name("alive");
        await layer.GroupAddAsync(group, slow);
        await layer.GroupAddAsync(group, alive);

        await layer.SendAsync(slow, Message("never read"));
        Time.Advance(ShortExpiry + JustOver);

        Assert.Equal(new GroupSendResult(2, 0), await layer.GroupSendAsync(group, Message("after expiry")));
        Assert.Equal("after expiry", await ReceiveTextAsync(layer, alive));
        Assert.Equal("after expiry", await ReceiveTextAsync(layer, slow));
        Assert.Equal(1, metrics.Total(ExpiredInstrument));
    }

    [Fact]
    public async Task A_group_membership_older_than_the_group_expiry_no_longer_receives()
    {
        var groupExpiry = TimeSpan.FromSeconds(100);
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { GroupExpiry = groupExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var group = Name("group");
        var channel = Name("member");

        await layer.GroupAddAsync(group, channel);
        Time.Advance(groupExpiry + TimeSpan.FromSeconds(1));

        Assert.Equal(new GroupSendResult(0, 0), await layer.GroupSendAsync(group, Message("too late")));
        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task A_group_membership_just_younger_than_the_group_expiry_still_receives()
    {
        var groupExpiry = TimeSpan.FromSeconds(100);
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { GroupExpiry = groupExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var group = Name("group");
        var channel = Name("member");

        await layer.GroupAddAsync(group, channel);
        Time.Advance(groupExpiry - JustOver);

        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(group, Message("in time")));
        Assert.Equal("in time", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task A_renewed_group_membership_keeps_receiving_after_the_original_would_have_expired()
    {
        var groupExpiry = TimeSpan.FromSeconds(100);
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { GroupExpiry = groupExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var group = Name("group");
        var renewed = Name("renewed");
        var lapsed = Name("lapsed");

        await layer.GroupAddAsync(group, renewed);
        await layer.GroupAddAsync(group, lapsed);
        Time.Advance(TimeSpan.FromSeconds(60));
        await layer.GroupAddAsync(group, renewed);
        Time.Advance(TimeSpan.FromSeconds(41));

        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(group, Message("renewed only")));
        Assert.Equal("renewed only", await ReceiveTextAsync(layer, renewed));
        await AssertNothingArrivesAsync(layer, lapsed);
    }
}
