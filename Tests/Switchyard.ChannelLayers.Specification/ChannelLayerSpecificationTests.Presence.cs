using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>
/// Presence: the groups a <see cref="ChannelLayerOptions.Presence"/> rule matches list who is in them, and tell their
/// members of joins and leaves in batched <see cref="PresenceEvent"/> messages.
/// </summary>
public abstract partial class ChannelLayerSpecificationTests
{
    private const string PresencePattern = "presence.*";

    [Fact]
    public async Task A_member_joined_with_presence_is_in_the_group_and_listed_with_who_it_is()
    {
        var layer = await NewPresenceLayerAsync();
        var group = PresenceGroup("room");
        var channel = Name("ada");

        var member = await layer.JoinPresenceAsync(group, channel, userId: "ada", info: "phone");

        Assert.Equal(new PresenceMember(channel, "ada", "phone", Time.GetUtcNow()), member);
        Assert.Equal(1, await layer.GroupMemberCountAsync(group));
        var page = await layer.GroupPresenceAsync(group);
        Assert.Equal([member], page.Members);
        Assert.Null(page.NextCursor);

        await layer.GroupDiscardAsync(group, channel);
        Assert.Empty((await layer.GroupPresenceAsync(group)).Members);
    }

    [Fact]
    public async Task Members_hear_the_joins_and_leaves_of_an_interval_in_one_event()
    {
        var layer = await NewPresenceLayerAsync();
        var group = PresenceGroup("lobby");
        var (a, b, c) = (Name("a"), Name("b"), Name("c"));
        await layer.JoinPresenceAsync(group, a, "ann");
        await layer.JoinPresenceAsync(group, b, "bob");
        await layer.JoinPresenceAsync(group, c, "cy");

        Time.Advance(layer.Options.PresenceInterval);
        var joined = (await ReceiveWithinAsync(layer, a)).Read<PresenceEvent>();
        Assert.Equal(group, joined.Group);
        Assert.Equal(3, joined.Count);
        Assert.Equal(["ann", "bob", "cy"], joined.Joins.Select(m => m.UserId));
        Assert.Empty(joined.Leaves);
        Assert.Equal(joined.Joins, (await ReceiveWithinAsync(layer, c)).Read<PresenceEvent>().Joins);

        await layer.GroupDiscardAsync(group, b);
        await layer.GroupDiscardAsync(group, c);
        Time.Advance(layer.Options.PresenceInterval);
        var left = (await ReceiveWithinAsync(layer, a)).Read<PresenceEvent>();
        Assert.Equal(1, left.Count);
        Assert.Empty(left.Joins);
        Assert.Equal([b, c], left.Leaves.Select(m => m.Channel));
        await AssertNothingArrivesAsync(layer, a);
    }

    [Fact]
    public async Task A_counts_only_group_tells_its_members_the_count_without_who()
    {
        var layer = await NewPresenceLayerAsync(new ChannelLayerOptions().WithPresence(PresencePattern, countsOnly: true));
        var group = PresenceGroup("stadium");
        var first = Name("first");
        await layer.JoinPresenceAsync(group, first, "u0");
        for (var i = 1; i < 20; i++)
        {
            await layer.JoinPresenceAsync(group, Name($"fan{i}"), $"u{i}");
        }

        Time.Advance(layer.Options.PresenceInterval);
        var counted = (await ReceiveWithinAsync(layer, first)).Read<PresenceEvent>();
        Assert.Equal(20, counted.Count);
        Assert.Empty(counted.Joins);
        Assert.Empty(counted.Leaves);
        Assert.Equal(20, await CountPresenceAsync(layer, group));
    }

    [Fact]
    public async Task Many_joins_in_one_interval_go_out_in_events_of_bounded_size()
    {
        var layer = await NewPresenceLayerAsync(new ChannelLayerOptions { Capacity = 10 }.WithPresence(PresencePattern));
        var group = PresenceGroup("crowd");
        var watcher = Name("watcher");
        await layer.JoinPresenceAsync(group, watcher);
        for (var i = 0; i < 700; i++)
        {
            await layer.JoinPresenceAsync(group, Name($"m{i:D3}"));
        }

        Time.Advance(layer.Options.PresenceInterval);
        var first = (await ReceiveWithinAsync(layer, watcher)).Read<PresenceEvent>();
        var second = (await ReceiveWithinAsync(layer, watcher)).Read<PresenceEvent>();
        Assert.Equal(500, first.Joins.Count);
        Assert.Equal(201, second.Joins.Count);
        Assert.Equal(701, first.Count);
        Assert.Equal(701, first.Joins.Concat(second.Joins).Select(m => m.Channel).Distinct().Count());
    }

    [Fact]
    public async Task The_presence_listing_pages_through_every_member_once()
    {
        var layer = await NewPresenceLayerAsync();
        var group = PresenceGroup("paged");
        var channels = new List<string>();
        for (var i = 0; i < 11; i++)
        {
            channels.Add(Name($"p{i:D2}"));
            await layer.JoinPresenceAsync(group, channels[^1], $"user{i}");
        }

        var listed = new List<PresenceMember>();
        string? cursor = null;
        do
        {
            var page = await layer.GroupPresenceAsync(group, cursor, pageSize: 4);
            Assert.InRange(page.Members.Count, 0, 4);
            listed.AddRange(page.Members);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(channels.Order(StringComparer.Ordinal), listed.Select(m => m.Channel).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Presence_events_are_not_kept_in_the_history_of_a_group_that_has_one()
    {
        var layer = await NewPresenceLayerAsync(new ChannelLayerOptions().WithPresence(PresencePattern).WithGroupHistory(PresencePattern));
        RequireCapability(layer, ChannelLayerCapabilities.GroupHistory);
        var group = PresenceGroup("kept");
        var member = Name("member");
        await layer.JoinPresenceAsync(group, member, "ann");

        Time.Advance(layer.Options.PresenceInterval);
        var presence = await ReceiveWithinAsync(layer, member);
        Assert.Equal(PresenceEvent.MessageType, presence.Type);
        Assert.False(presence.TryGetGroupPosition(out _, out _));
        Assert.Equal(0, (await layer.GroupHistoryAsync(group)).Position.Offset);

        await layer.GroupSendAsync(group, Message("said"));
        Assert.True((await ReceiveWithinAsync(layer, member)).TryGetGroupPosition(out _, out var said));
        Assert.Equal(1, said.Offset);
    }

    [Fact]
    public async Task Presence_needs_a_rule_and_small_info()
    {
        var layer = await NewPresenceLayerAsync();

        var noRule = await Assert.ThrowsAsync<InvalidOperationException>(() => layer.JoinPresenceAsync(Name("plain"), Name("c")).AsTask());
        Assert.Contains("has no presence", noRule.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => layer.GroupPresenceAsync(Name("plain")).AsTask());
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(
            () => layer.JoinPresenceAsync(PresenceGroup("g"), Name("c"), info: new string('x', PresenceMember.MaxInfoLength + 1)).AsTask());
        Assert.Equal("info", tooLong.ParamName);
        Assert.Equal(0, await layer.GroupMemberCountAsync(PresenceGroup("g")));
    }

    /// <summary>Returns a group name the kit's presence rule (<c>presence.*</c>) matches, unique to this test.</summary>
    /// <param name="stem">A valid name part.</param>
    /// <returns>The group name.</returns>
    protected string PresenceGroup(string stem) => "presence." + Name(stem);

    /// <summary>Creates a layer with presence for <c>presence.*</c> groups (unless <paramref name="options"/> say otherwise), and skips the test without <see cref="ChannelLayerCapabilities.Presence"/>.</summary>
    /// <param name="options">The options; one presence rule for <c>presence.*</c> when <see langword="null"/>.</param>
    /// <returns>The layer.</returns>
    protected async Task<ChannelLayer> NewPresenceLayerAsync(ChannelLayerOptions? options = null)
    {
        var layer = await NewLayerAsync(options ?? new ChannelLayerOptions().WithPresence(PresencePattern));
        RequireCapability(layer, ChannelLayerCapabilities.Presence);
        return layer;
    }

    private static async Task<int> CountPresenceAsync(ChannelLayer layer, string group)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await layer.GroupPresenceAsync(group, cursor, pageSize: 1000);
            count += page.Members.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return count;
    }
}
