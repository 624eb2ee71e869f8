using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Capacity: the default, <see cref="ChannelFullException"/>, and per-pattern overrides.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    [Fact]
    public async Task The_default_capacity_is_100_and_the_101st_send_throws_ChannelFullException()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Capacity);
        var channel = Name("capacity");

        for (var i = 0; i < 100; i++)
        {
            await layer.SendAsync(channel, Message($"m{i}"));
        }

        var error = await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(channel, Message("refused")));

        Assert.Equal(channel, error.Channel);
        Assert.Equal(100, error.Capacity);
        Assert.Contains($"'{channel}'", error.Message, StringComparison.Ordinal);

        // The refused message was not stored and the queued ones are intact, in order.
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"m{i}", await ReceiveTextAsync(layer, channel));
        }

        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task After_a_receive_a_full_channel_has_room_for_one_more()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Capacity = 2 });
        RequireCapability(layer, ChannelLayerCapabilities.Capacity);
        var channel = Name("room");

        await layer.SendAsync(channel, Message("1"));
        await layer.SendAsync(channel, Message("2"));
        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(channel, Message("x")));

        Assert.Equal("1", await ReceiveTextAsync(layer, channel));
        await layer.SendAsync(channel, Message("3"));
        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(channel, Message("y")));

        Assert.Equal("2", await ReceiveTextAsync(layer, channel));
        Assert.Equal("3", await ReceiveTextAsync(layer, channel));
        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task A_star_capacity_rule_applies_to_matching_channels_only()
    {
        var small = Name("small");
        var options = new ChannelLayerOptions { Capacity = 4 }.WithCapacity(small + ".*", 2);
        var layer = await NewLayerAsync(options);
        RequireCapability(layer, ChannelLayerCapabilities.Capacity);

        await FillAsync(layer, small + ".one", 2);
        var error = await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(small + ".one", Message("x")));
        Assert.Equal(2, error.Capacity);

        // '*' matches any run of characters, including dots and an empty run.
        await FillAsync(layer, small + ".a.b.c", 2);
        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(small + ".a.b.c", Message("x")));
        await FillAsync(layer, small + ".", 2);
        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(small + ".", Message("x")));

        // A channel that does not match keeps the default capacity.
        var other = Name("large") + ".one";
        await FillAsync(layer, other, 4);
        var defaultError = await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(other, Message("x")));
        Assert.Equal(4, defaultError.Capacity);
    }

    [Fact]
    public async Task A_question_mark_capacity_rule_matches_exactly_one_character()
    {
        var stem = Name("q");
        var options = new ChannelLayerOptions { Capacity = 3 }.WithCapacity(stem + ".?", 1);
        var layer = await NewLayerAsync(options);
        RequireCapability(layer, ChannelLayerCapabilities.Capacity);

        await FillAsync(layer, stem + ".a", 1);
        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(stem + ".a", Message("x")));

        // Two characters, or none, do not match '?': those channels keep the default capacity.
        await FillAsync(layer, stem + ".ab", 3);
        Assert.Equal(3, (await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(stem + ".ab", Message("x")))).Capacity);
        await FillAsync(layer, stem + ".", 3);
        Assert.Equal(3, (await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(stem + ".", Message("x")))).Capacity);
    }

    [Fact]
    public async Task The_first_matching_capacity_rule_wins()
    {
        var stem = Name("rule");
        var options = new ChannelLayerOptions { Capacity = 5 }
            .WithCapacity(stem + ".a*", 1)
            .WithCapacity(stem + ".ab*", 3)
            .WithCapacity(stem + ".*", 2);
        var layer = await NewLayerAsync(options);
        RequireCapability(layer, ChannelLayerCapabilities.Capacity);

        // Matches all three rules: the first wins.
        await FillAsync(layer, stem + ".abc", 1);
        Assert.Equal(1, (await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(stem + ".abc", Message("x")))).Capacity);

        // Matches only the third rule.
        await FillAsync(layer, stem + ".zzz", 2);
        Assert.Equal(2, (await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(stem + ".zzz", Message("x")))).Capacity);
    }

    [Fact]
    public async Task Capacity_rules_can_target_process_local_channels()
    {
        var stem = Name("http.response");
        var options = new ChannelLayerOptions { Capacity = 3 }.WithCapacity(stem + ".*!*", 1);
        var layer = await NewLayerAsync(options);
        RequireCapability(layer, ChannelLayerCapabilities.Capacity);
        var local = await layer.NewChannelAsync(stem);

        await layer.SendAsync(local, Message("only"));
        var error = await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(local, Message("x")));

        Assert.Equal(local, error.Channel);
        Assert.Equal(1, error.Capacity);
        Assert.Equal("only", await ReceiveTextAsync(layer, local));

        // The plain channel of the same stem is not process-local and keeps the default.
        await FillAsync(layer, stem, 3);
        Assert.Equal(3, (await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(stem, Message("x")))).Capacity);
    }

    [Fact]
    public async Task A_waiting_receiver_takes_a_message_even_when_the_capacity_is_one()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Capacity = 1 });
        var channel = Name("handoff");
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var receive = layer.ReceiveAsync(channel, timeout.Token).AsTask();
        await layer.SendAsync(channel, Message("first"));
        Assert.Equal("first", Text(await receive.WaitAsync(WaitTimeout)));

        // The handed-over message does not occupy the channel.
        await layer.SendAsync(channel, Message("second"));
        Assert.Equal("second", await ReceiveTextAsync(layer, channel));
    }

    private static async Task FillAsync(ChannelLayer layer, string channel, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await layer.SendAsync(channel, Message($"fill{i}"));
        }
    }
}
