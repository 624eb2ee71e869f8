using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>
/// The forwarding path (<see cref="ChannelLayer.AttachForwarder"/>, issue 11): a forwarder attached to a channel of this
/// process is offered its messages before they are queued; a group send offers one message instance to every forwarder
/// of the process, so a frame is made once; a full forwarder is waited for, within
/// <see cref="ChannelLayerOptions.FullMemberTimeout"/>, and then offered the message without waiting.
/// </summary>
public abstract partial class ChannelLayerSpecificationTests
{
    [Fact]
    public async Task A_forwarder_takes_the_messages_of_its_channel_and_they_are_not_queued()
    {
        var layer = await NewLayerAsync();
        var channel = await layer.NewChannelAsync(Name("fw"));
        var forwarder = new RecordingForwarder();

        using (layer.AttachForwarder(channel, forwarder))
        {
            foreach (var text in new[] { "m0", "m1", "m2" })
            {
                await layer.SendAsync(channel, Message(text));
            }

            await forwarder.WaitForwardedAsync(3, WaitTimeout);
            Assert.Equal(["m0", "m1", "m2"], forwarder.Forwarded);
            await AssertNothingArrivesAsync(layer, channel);
        }
    }

    [Fact]
    public async Task A_message_the_forwarder_does_not_take_is_received_as_usual()
    {
        var layer = await NewLayerAsync();
        var channel = await layer.NewChannelAsync(Name("fw"));
        var forwarder = new RecordingForwarder { Takes = static m => m.Type == "spec.forwarded" };
        using var attachment = layer.AttachForwarder(channel, forwarder);

        await layer.SendAsync(channel, new ChannelMessage("spec.forwarded", "forwarded"u8.ToArray()));
        await layer.SendAsync(channel, Message("handled"));

        Assert.Equal("handled", await ReceiveTextAsync(layer, channel));
        await forwarder.WaitForwardedAsync(1, WaitTimeout);
        Assert.Equal(["forwarded"], forwarder.Forwarded);
    }

    [Fact]
    public async Task Detaching_a_forwarder_returns_its_channel_to_the_normal_path()
    {
        var layer = await NewLayerAsync();
        var channel = await layer.NewChannelAsync(Name("fw"));
        var forwarder = new RecordingForwarder();

        using (layer.AttachForwarder(channel, forwarder))
        {
            await layer.SendAsync(channel, Message("forwarded"));
            await forwarder.WaitForwardedAsync(1, WaitTimeout);
        }

        await layer.SendAsync(channel, Message("received"));

        Assert.Equal("received", await ReceiveTextAsync(layer, channel));
        Assert.Equal(["forwarded"], forwarder.Forwarded);
    }

    [Fact]
    public async Task A_group_send_reaches_every_forwarder_in_order_and_its_frame_is_made_once_in_the_process()
    {
        var layer = await NewGroupLayerAsync();
        var group = Name("room");
        var frames = new FrameCounter();
        var forwarders = new List<RecordingForwarder>();
        var attachments = new List<IDisposable>();
        for (var i = 0; i < 10; i++)
        {
            var channel = await layer.NewChannelAsync(Name("fw"));
            var forwarder = new RecordingForwarder(frames);
            attachments.Add(layer.AttachForwarder(channel, forwarder));
            forwarders.Add(forwarder);
            await layer.GroupAddAsync(group, channel);
        }

        var expected = Enumerable.Range(0, 20).Select(i => $"g{i}").ToArray();
        foreach (var text in expected)
        {
            await layer.GroupSendAsync(group, Message(text));
        }

        foreach (var forwarder in forwarders)
        {
            await forwarder.WaitForwardedAsync(expected.Length, WaitTimeout);
            Assert.Equal(expected, forwarder.Forwarded);
        }

        Assert.Equal(expected.Length, frames.Encodes);
        attachments.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task A_full_forwarder_is_waited_for_and_then_gets_every_message_in_order()
    {
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { FullMemberTimeout = TimeSpan.FromSeconds(30) });
        var group = Name("room");
        var slow = new RecordingForwarder(full: true);
        var fast = new RecordingForwarder();
        using var slowAttachment = layer.AttachForwarder(await JoinAsync(layer, group), slow);
        using var fastAttachment = layer.AttachForwarder(await JoinAsync(layer, group), fast);
        var expected = new[] { "g0", "g1", "g2", "g3", "g4" };

        // In-process layers hold the send while a member is full; cross-process ones hold only that member's messages.
        var sending = Task.Run(async () =>
        {
            foreach (var text in expected)
            {
                await layer.GroupSendAsync(group, Message(text));
            }
        });
        await fast.WaitForwardedAsync(1, WaitTimeout);
        await slow.WaitFullAnswersAsync(1, WaitTimeout);
        Assert.Empty(slow.Forwarded);
        slow.MakeRoom();
        await sending.WaitAsync(WaitTimeout);

        await slow.WaitForwardedAsync(expected.Length, WaitTimeout);
        await fast.WaitForwardedAsync(expected.Length, WaitTimeout);
        Assert.Equal(expected, slow.Forwarded);
        Assert.Equal(expected, fast.Forwarded);
        Assert.Empty(slow.Dropped);
        Assert.Equal(0, slow.OffersWithoutWait);
    }

    [Fact]
    public async Task A_send_to_a_full_forwarder_is_waited_for_and_keeps_its_order()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { FullMemberTimeout = TimeSpan.FromSeconds(30) });
        var channel = await layer.NewChannelAsync(Name("fw"));
        var forwarder = new RecordingForwarder(full: true);
        using var attachment = layer.AttachForwarder(channel, forwarder);
        var expected = new[] { "d0", "d1", "d2" };

        var sending = Task.Run(async () =>
        {
            foreach (var text in expected)
            {
                await layer.SendAsync(channel, Message(text));
            }
        });
        await forwarder.WaitFullAnswersAsync(1, WaitTimeout);
        forwarder.MakeRoom();
        await sending.WaitAsync(WaitTimeout);

        await forwarder.WaitForwardedAsync(expected.Length, WaitTimeout);
        Assert.Equal(expected, forwarder.Forwarded);
        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task A_forwarder_that_stays_full_is_offered_the_message_without_waiting_after_the_full_member_timeout()
    {
        var timeout = TimeSpan.FromSeconds(5);
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { FullMemberTimeout = timeout });
        var group = Name("room");
        var slow = new RecordingForwarder(full: true);
        var fast = new RecordingForwarder();
        var slowChannel = await JoinAsync(layer, group);
        using var slowAttachment = layer.AttachForwarder(slowChannel, slow);
        using var fastAttachment = layer.AttachForwarder(await JoinAsync(layer, group), fast);
        var expected = new[] { "g0", "g1", "g2" };

        var sending = Task.Run(async () =>
        {
            foreach (var text in expected)
            {
                await layer.GroupSendAsync(group, Message(text));
            }
        });

        // The wait is on the layer's clock: while the layer waits for the slow member, nothing is dropped; each move of
        // the clock past the timeout ends one wait (in-process layers wait per send, the others per message).
        var waits = await slow.WaitForNewRoomWaitOrDroppedAsync(0, expected.Length, WaitTimeout);
        await fast.WaitForwardedAsync(1, WaitTimeout);
        Assert.Empty(slow.Dropped);
        while (slow.Dropped.Count < expected.Length)
        {
            Time.Advance(timeout);
            waits = await slow.WaitForNewRoomWaitOrDroppedAsync(waits, expected.Length, WaitTimeout);
        }

        await sending.WaitAsync(WaitTimeout);
        await fast.WaitForwardedAsync(expected.Length, WaitTimeout);
        Assert.Equal(expected, fast.Forwarded);
        Assert.Equal(expected, slow.Dropped);
        Assert.Empty(slow.Forwarded);
        await AssertNothingArrivesAsync(layer, slowChannel);
    }

    [Fact]
    public async Task With_a_zero_full_member_timeout_a_full_forwarder_is_never_waited_for()
    {
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { FullMemberTimeout = TimeSpan.Zero });
        var group = Name("room");
        var slow = new RecordingForwarder(full: true);
        var fast = new RecordingForwarder();
        using var slowAttachment = layer.AttachForwarder(await JoinAsync(layer, group), slow);
        using var fastAttachment = layer.AttachForwarder(await JoinAsync(layer, group), fast);

        await layer.GroupSendAsync(group, Message("g0"));
        await layer.GroupSendAsync(group, Message("g1"));

        await fast.WaitForwardedAsync(2, WaitTimeout);
        await slow.WaitDroppedAsync(2, WaitTimeout);
        Assert.Equal(["g0", "g1"], slow.Dropped);
        Assert.Equal(0, slow.FullAnswers);
    }

    // A new channel of this process in the group.
    private async Task<string> JoinAsync(ChannelLayer layer, string group)
    {
        var channel = await layer.NewChannelAsync(Name("fw"));
        await layer.GroupAddAsync(group, channel);
        return channel;
    }
}
