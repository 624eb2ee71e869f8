using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Groups: add, discard, send, full members, and flush.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    private const string DroppedInstrument = "switchyard.layer.messages.dropped";

    [Fact]
    public async Task A_group_send_reaches_every_member()
    {
        var layer = await NewGroupLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.GroupMemberCounts);
        var group = Name("room");
        var members = new[] { Name("a"), Name("b"), await LocalNameAsync(layer, "specific", "c") };
        foreach (var member in members)
        {
            await layer.GroupAddAsync(group, member);
        }

        var result = await layer.GroupSendAsync(group, new ChannelMessage("chat.message", "hi all"u8.ToArray(), MessageHeaders.Empty.With("x-room", "1")));

        Assert.Equal(new GroupSendResult(3, 0), result);
        Assert.Equal(3, result.Members);
        foreach (var member in members)
        {
            var received = await ReceiveWithinAsync(layer, member);
            Assert.Equal("chat.message", received.Type);
            Assert.Equal("hi all", Text(received));
            Assert.True(received.Headers.TryGetValue("x-room", out var room));
            Assert.Equal("1", room);
        }

        await AssertNothingArrivesAsync(layer, members);
    }

    [Fact]
    public async Task Group_sends_arrive_in_order_and_interleave_with_direct_sends_in_order()
    {
        var layer = await NewGroupLayerAsync();
        var group = Name("room");
        var channel = Name("member");
        await layer.GroupAddAsync(group, channel);

        await layer.GroupSendAsync(group, Message("g1"));
        await layer.SendAsync(channel, Message("d1"));
        await layer.GroupSendAsync(group, Message("g2"));

        Assert.Equal("g1", await ReceiveTextAsync(layer, channel));
        Assert.Equal("d1", await ReceiveTextAsync(layer, channel));
        Assert.Equal("g2", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task A_discarded_channel_no_longer_receives_group_sends()
    {
        var layer = await NewGroupLayerAsync();
        var group = Name("room");
        var stays = Name("stays");
        var leaves = Name("leaves");
        await layer.GroupAddAsync(group, stays);
        await layer.GroupAddAsync(group, leaves);

        await layer.GroupDiscardAsync(group, leaves);

        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(group, Message("after discard")));
        Assert.Equal("after discard", await ReceiveTextAsync(layer, stays));
        await AssertNothingArrivesAsync(layer, leaves);
    }

    [Fact]
    public async Task Discarding_a_non_member_does_nothing()
    {
        var layer = await NewGroupLayerAsync();
        var group = Name("room");
        var member = Name("member");
        await layer.GroupAddAsync(group, member);

        await layer.GroupDiscardAsync(group, Name("stranger"));
        await layer.GroupDiscardAsync(Name("no-such-group"), member);
        await layer.GroupDiscardAsync(Name("no-such-group"), Name("stranger"));

        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(group, Message("still here")));
        Assert.Equal("still here", await ReceiveTextAsync(layer, member));
    }

    [Fact]
    public async Task A_group_send_to_an_unknown_or_emptied_group_returns_zero()
    {
        var layer = await NewGroupLayerAsync();
        var group = Name("room");
        var member = Name("member");

        Assert.Equal(new GroupSendResult(0, 0), await layer.GroupSendAsync(Name("unknown"), Message("nobody")));

        await layer.GroupAddAsync(group, member);
        await layer.GroupDiscardAsync(group, member);
        Assert.Equal(new GroupSendResult(0, 0), await layer.GroupSendAsync(group, Message("nobody")));
        await AssertNothingArrivesAsync(layer, member);
    }

    [Fact]
    public async Task Adding_a_member_twice_delivers_once()
    {
        var layer = await NewGroupLayerAsync();
        var group = Name("room");
        var member = Name("member");

        await layer.GroupAddAsync(group, member);
        await layer.GroupAddAsync(group, member);

        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(group, Message("once")));
        Assert.Equal("once", await ReceiveTextAsync(layer, member));
        await AssertNothingArrivesAsync(layer, member);

        // One discard removes the (single) membership.
        await layer.GroupDiscardAsync(group, member);
        Assert.Equal(new GroupSendResult(0, 0), await layer.GroupSendAsync(group, Message("none")));
    }

    [Fact]
    public async Task A_channel_in_several_groups_receives_from_each_and_groups_are_independent()
    {
        var layer = await NewGroupLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.GroupMemberCounts);
        var red = Name("red");
        var blue = Name("blue");
        var both = Name("both");
        var redOnly = Name("red-only");
        await layer.GroupAddAsync(red, both);
        await layer.GroupAddAsync(blue, both);
        await layer.GroupAddAsync(red, redOnly);

        Assert.Equal(new GroupSendResult(2, 0), await layer.GroupSendAsync(red, Message("red")));
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(blue, Message("blue")));
        await layer.GroupDiscardAsync(red, both);
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(blue, Message("blue again")));

        Assert.Equal("red", await ReceiveTextAsync(layer, both));
        Assert.Equal("blue", await ReceiveTextAsync(layer, both));
        Assert.Equal("blue again", await ReceiveTextAsync(layer, both));
        Assert.Equal("red", await ReceiveTextAsync(layer, redOnly));
        await AssertNothingArrivesAsync(layer, redOnly);
    }

    [Fact]
    public async Task A_group_and_a_channel_of_the_same_name_are_unrelated()
    {
        var layer = await NewGroupLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var name = Name("same");
        var member = Name("member");
        await layer.GroupAddAsync(name, member);

        await layer.SendAsync(name, Message("to the channel"));
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(name, Message("to the group")));

        Assert.Equal("to the channel", await ReceiveTextAsync(layer, name));
        Assert.Equal("to the group", await ReceiveTextAsync(layer, member));
        await AssertNothingArrivesAsync(layer, name, member);
    }

    [Fact]
    public async Task A_group_send_skips_a_full_member_without_throwing_and_counts_it()
    {
        using var metrics = new MetricCollector(MeterFactory);
        var full = Name("full");
        // Django Channels' semantics: no wait for full members (the default waits for in-process ones; see FullMemberTimeout).
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { FullMemberTimeout = TimeSpan.Zero }.WithCapacity(full, 1));
        RequireCapability(layer, ChannelLayerCapabilities.Capacity | ChannelLayerCapabilities.GroupMemberCounts);
        var group = Name("room");
        var others = new[] { Name("a"), Name("b") };
        await layer.GroupAddAsync(group, full);
        foreach (var other in others)
        {
            await layer.GroupAddAsync(group, other);
        }

        await layer.SendAsync(full, Message("already queued"));
        var result = await layer.GroupSendAsync(group, Message("broadcast"));

        Assert.Equal(new GroupSendResult(2, 1), result);
        Assert.Equal(1, metrics.Total(DroppedInstrument));
        Assert.Equal(1, metrics.Total(DroppedInstrument, "reason", "channel_full"));
        foreach (var other in others)
        {
            Assert.Equal("broadcast", await ReceiveTextAsync(layer, other));
        }

        Assert.Equal("already queued", await ReceiveTextAsync(layer, full));
        await AssertNothingArrivesAsync(layer, full);

        // The skipped member stays in the group and receives once it has room.
        Assert.Equal(new GroupSendResult(3, 0), await layer.GroupSendAsync(group, Message("next")));
        Assert.Equal("next", await ReceiveTextAsync(layer, full));
    }

    [Fact]
    public async Task A_group_send_larger_than_the_limit_throws_and_reaches_nobody()
    {
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { MaxMessageSize = 512 });
        var group = Name("room");
        var member = Name("member");
        await layer.GroupAddAsync(group, member);

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(async () => await layer.GroupSendAsync(group, MessageOfSize(513)));

        Assert.Equal(513, error.Size);
        Assert.Equal(512, error.MaxSize);
        Assert.Contains(group, error.Message, StringComparison.Ordinal);
        await AssertNothingArrivesAsync(layer, member);
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(group, MessageOfSize(512)));
        Assert.Equal(512, (await ReceiveWithinAsync(layer, member)).Payload.Length);
    }

    [Fact]
    public async Task Flush_empties_every_channel_and_group()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Capacity = 2 });
        RequireCapability(layer, ChannelLayerCapabilities.Flush | ChannelLayerCapabilities.Groups);
        var group = Name("room");
        var a = Name("a");
        var b = await LocalNameAsync(layer, "specific", "b");
        await layer.GroupAddAsync(group, a);
        await layer.GroupAddAsync(group, b);
        await FillAsync(layer, a, 2);
        await layer.SendAsync(b, Message("queued"));

        await layer.FlushAsync();

        await AssertNothingArrivesAsync(layer, a, b);
        Assert.Equal(new GroupSendResult(0, 0), await layer.GroupSendAsync(group, Message("after flush")));

        // The layer keeps working, with the full capacity available again.
        await FillAsync(layer, a, 2);
        Assert.Equal("fill0", await ReceiveTextAsync(layer, a));
        Assert.Equal("fill1", await ReceiveTextAsync(layer, a));
    }

    [Fact]
    public async Task Flush_lets_waiting_receives_keep_waiting()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Flush);
        var channel = Name("waiting");
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var receive = layer.ReceiveAsync(channel, timeout.Token).AsTask();
        await layer.FlushAsync();
        Assert.False(receive.IsCompleted);
        await layer.SendAsync(channel, Message("after flush"));

        Assert.Equal("after flush", Text(await receive.WaitAsync(WaitTimeout)));
    }
}
