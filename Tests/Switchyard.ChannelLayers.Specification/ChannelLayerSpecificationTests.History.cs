using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>
/// Group history: the groups a <see cref="ChannelLayerOptions.GroupHistory"/> rule matches give each send a position,
/// and the messages after a position are given back in order — or none, with the reason.
/// </summary>
public abstract partial class ChannelLayerSpecificationTests
{
    private const string HistoryPattern = "history.*";

    [Fact]
    public async Task Each_send_to_a_group_with_a_history_gets_the_next_position_and_members_see_it()
    {
        var layer = await NewHistoryLayerAsync();
        var group = HistoryGroup("room");
        var member = Name("member");
        await layer.GroupAddAsync(group, member);

        var positions = new List<GroupPosition>();
        for (var i = 1; i <= 3; i++)
        {
            await layer.GroupSendAsync(group, Message($"m{i}"));
            var received = await ReceiveWithinAsync(layer, member);
            Assert.Equal($"m{i}", Text(received));
            Assert.True(received.TryGetGroupPosition(out var from, out var position), "A message sent to a group with a history carries its position.");
            Assert.Equal(group, from);
            positions.Add(position);
        }

        Assert.Equal([1L, 2L, 3L], positions.Select(p => p.Offset));
        Assert.Single(positions.Select(p => p.Epoch).Distinct());
        Assert.Equal(positions[^1], (await layer.GroupHistoryAsync(group)).Position);
    }

    [Fact]
    public async Task The_messages_after_a_position_are_given_in_order_with_their_positions()
    {
        var layer = await NewHistoryLayerAsync();
        var group = HistoryGroup("feed");
        var start = (await layer.GroupHistoryAsync(group)).Position;
        Assert.Equal(0, start.Offset);
        for (var i = 1; i <= 5; i++)
        {
            await layer.GroupSendAsync(group, Message($"m{i}", new MessageHeaders().With("app", $"h{i}")));
        }

        var all = await layer.GroupHistoryAsync(group, start);
        Assert.True(all.Recovered);
        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], all.Messages.Select(Text));
        Assert.Equal(new GroupPosition(start.Epoch, 5), all.Position);

        var afterTwo = await layer.GroupHistoryAsync(group, new GroupPosition(start.Epoch, 2));
        Assert.Equal(GroupHistoryLoss.None, afterTwo.Loss);
        Assert.Equal(["m3", "m4", "m5"], afterTwo.Messages.Select(Text));
        Assert.All(afterTwo.Messages, m => Assert.Equal(TestMessageType, m.Type));
        Assert.Equal(["h3", "h4", "h5"], afterTwo.Messages.Select(m => m.Headers.TryGetValue("app", out var h) ? h : "none"));
        Assert.Equal([3L, 4L, 5L], afterTwo.Messages.Select(m => m.TryGetGroupPosition(out _, out var p) ? p.Offset : -1));

        var atLatest = await layer.GroupHistoryAsync(group, all.Position);
        Assert.True(atLatest.Recovered);
        Assert.Empty(atLatest.Messages);
    }

    [Fact]
    public async Task A_position_the_history_never_gave_is_not_recovered()
    {
        var layer = await NewHistoryLayerAsync();
        var group = HistoryGroup("epochs");
        await layer.GroupSendAsync(group, Message("m1"));
        var latest = (await layer.GroupHistoryAsync(group)).Position;

        var otherEpoch = await layer.GroupHistoryAsync(group, new GroupPosition(latest.Epoch + "x", 0));
        Assert.Equal(GroupHistoryLoss.EpochChanged, otherEpoch.Loss);
        Assert.False(otherEpoch.Recovered);
        Assert.Empty(otherEpoch.Messages);
        Assert.Equal(latest, otherEpoch.Position);

        var future = await layer.GroupHistoryAsync(group, new GroupPosition(latest.Epoch, latest.Offset + 1));
        Assert.Equal(GroupHistoryLoss.EpochChanged, future.Loss);
    }

    [Fact]
    public async Task A_history_keeps_its_latest_messages_and_says_when_older_ones_were_trimmed()
    {
        var layer = await NewHistoryLayerAsync(new ChannelLayerOptions().WithGroupHistory(HistoryPattern, maxCount: 3));
        var group = HistoryGroup("short");
        for (var i = 1; i <= 5; i++)
        {
            await layer.GroupSendAsync(group, Message($"m{i}"));
        }

        var epoch = (await layer.GroupHistoryAsync(group)).Position.Epoch;
        var trimmed = await layer.GroupHistoryAsync(group, new GroupPosition(epoch, 1));
        Assert.Equal(GroupHistoryLoss.Trimmed, trimmed.Loss);
        Assert.Empty(trimmed.Messages);

        var kept = await layer.GroupHistoryAsync(group, new GroupPosition(epoch, 2));
        Assert.True(kept.Recovered);
        Assert.Equal(["m3", "m4", "m5"], kept.Messages.Select(Text));
    }

    [Fact]
    public async Task Messages_older_than_the_maximum_age_leave_the_history_but_the_position_stays()
    {
        var layer = await NewHistoryLayerAsync(new ChannelLayerOptions().WithGroupHistory(HistoryPattern, maxAge: TimeSpan.FromSeconds(30)));
        var group = HistoryGroup("aging");
        await layer.GroupSendAsync(group, Message("m1"));
        await layer.GroupSendAsync(group, Message("m2"));
        var afterTwo = (await layer.GroupHistoryAsync(group)).Position;

        Time.Advance(TimeSpan.FromSeconds(31));
        var quiet = await layer.GroupHistoryAsync(group, afterTwo);
        Assert.True(quiet.Recovered, "Nothing was sent since: nothing is missed, though the messages aged out.");
        Assert.Equal(afterTwo, quiet.Position);

        await layer.GroupSendAsync(group, Message("m3"));
        Assert.Equal(GroupHistoryLoss.Trimmed, (await layer.GroupHistoryAsync(group, afterTwo with { Offset = 1 })).Loss);
        var resumed = await layer.GroupHistoryAsync(group, afterTwo);
        Assert.Equal(["m3"], resumed.Messages.Select(Text));
    }

    [Fact]
    public async Task Histories_are_kept_per_group()
    {
        var layer = await NewHistoryLayerAsync();
        var a = HistoryGroup("a");
        var b = HistoryGroup("b");
        await layer.GroupSendAsync(a, Message("a1"));
        await layer.GroupSendAsync(b, Message("b1"));
        await layer.GroupSendAsync(a, Message("a2"));

        Assert.Equal(2, (await layer.GroupHistoryAsync(a)).Position.Offset);
        Assert.Equal(1, (await layer.GroupHistoryAsync(b)).Position.Offset);
        var fromB = await layer.GroupHistoryAsync(b, (await layer.GroupHistoryAsync(b)).Position with { Offset = 0 });
        Assert.Equal(["b1"], fromB.Messages.Select(Text));
    }

    [Fact]
    public async Task Concurrent_sends_get_distinct_positions_and_the_history_holds_them_in_order()
    {
        var layer = await NewHistoryLayerAsync();
        var group = HistoryGroup("busy");
        var start = (await layer.GroupHistoryAsync(group)).Position;

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => layer.GroupSendAsync(group, Message($"m{i}")).AsTask()));

        var history = await layer.GroupHistoryAsync(group, start);
        Assert.True(history.Recovered);
        Assert.Equal(40, history.Messages.Count);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), history.Messages.Select(m => m.TryGetGroupPosition(out _, out var p) ? p.Offset : -1));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"m{i}").Order(StringComparer.Ordinal), history.Messages.Select(Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_group_without_a_history_rule_has_no_positions_and_refuses_history_reads()
    {
        var layer = await NewHistoryLayerAsync();
        var group = Name("plain");
        var member = Name("member");
        await layer.GroupAddAsync(group, member);

        await layer.GroupSendAsync(group, Message("m1"));
        Assert.False((await ReceiveWithinAsync(layer, member)).TryGetGroupPosition(out _, out _));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => layer.GroupHistoryAsync(group).AsTask());
        Assert.Contains("keeps no history", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Returns a group name the kit's history rule (<c>history.*</c>) matches, unique to this test.</summary>
    /// <param name="stem">A valid name part.</param>
    /// <returns>The group name.</returns>
    protected string HistoryGroup(string stem) => "history." + Name(stem);

    /// <summary>Creates a layer that keeps a history for <c>history.*</c> groups (unless <paramref name="options"/> say otherwise), and skips the test without <see cref="ChannelLayerCapabilities.GroupHistory"/>.</summary>
    /// <param name="options">The options; one history rule for <c>history.*</c> when <see langword="null"/>.</param>
    /// <returns>The layer.</returns>
    protected async Task<ChannelLayer> NewHistoryLayerAsync(ChannelLayerOptions? options = null)
    {
        var layer = await NewLayerAsync(options ?? new ChannelLayerOptions().WithGroupHistory(HistoryPattern));
        RequireCapability(layer, ChannelLayerCapabilities.GroupHistory);
        return layer;
    }
}
