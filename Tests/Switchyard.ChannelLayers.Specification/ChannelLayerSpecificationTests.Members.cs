using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Group members: counted and listed a page at a time, consistently with discards, expiry and flush.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    [Fact]
    public async Task A_group_nobody_joined_has_no_members()
    {
        var layer = await NewMembersLayerAsync();
        var group = Name("empty");

        Assert.Equal(0, await layer.GroupMemberCountAsync(group));
        var page = await layer.GroupMembersAsync(group);
        Assert.Empty(page.Channels);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Members_are_counted_once_each_and_follow_adds_and_discards()
    {
        var layer = await NewMembersLayerAsync();
        var group = Name("room");
        var a = Name("a");
        var b = Name("b");
        var local = await LocalNameAsync(layer, "specific", "c");

        await layer.GroupAddAsync(group, a);
        await layer.GroupAddAsync(group, b);
        await layer.GroupAddAsync(group, local);
        await layer.GroupAddAsync(group, a);
        Assert.Equal(3, await layer.GroupMemberCountAsync(group));
        Assert.Equal(new[] { a, b, local }.Order(StringComparer.Ordinal), await AllMembersAsync(layer, group, pageSize: 100));

        await layer.GroupDiscardAsync(group, b);
        Assert.Equal(2, await layer.GroupMemberCountAsync(group));
        Assert.Equal(new[] { a, local }.Order(StringComparer.Ordinal), await AllMembersAsync(layer, group, pageSize: 100));
        Assert.Equal(0, await layer.GroupMemberCountAsync(Name("other")));
    }

    [Fact]
    public async Task Listing_in_pages_returns_every_member_exactly_once()
    {
        var layer = await NewMembersLayerAsync();
        var group = Name("big");
        var members = new List<string>();
        for (var i = 0; i < 23; i++)
        {
            members.Add(i % 3 == 0 ? await LocalNameAsync(layer, "specific", $"m{i}") : Name($"m{i}"));
            await layer.GroupAddAsync(group, members[^1]);
        }

        var pages = new List<GroupMemberPage>();
        string? cursor = null;
        do
        {
            var page = await layer.GroupMembersAsync(group, cursor, pageSize: 5);
            Assert.InRange(page.Channels.Count, 0, 5);
            pages.Add(page);
            cursor = page.NextCursor;
            Assert.True(pages.Count <= 23, "The listing does not end.");
        }
        while (cursor is not null);

        var listed = pages.SelectMany(p => p.Channels).ToList();
        Assert.Equal(members.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(23, await layer.GroupMemberCountAsync(group));
        Assert.True(pages.Count >= 5, $"23 members in pages of 5 came in {pages.Count} page(s).");
    }

    [Fact]
    public async Task Expired_memberships_are_neither_counted_nor_listed()
    {
        var groupExpiry = TimeSpan.FromSeconds(100);
        var layer = await NewMembersLayerAsync(new ChannelLayerOptions { GroupExpiry = groupExpiry });
        RequireCapability(layer, ChannelLayerCapabilities.Expiry);
        var group = Name("room");
        var old = Name("old");
        var renewed = Name("renewed");
        var young = Name("young");

        await layer.GroupAddAsync(group, old);
        await layer.GroupAddAsync(group, renewed);
        Time.Advance(groupExpiry / 2);
        await layer.GroupAddAsync(group, young);
        await layer.GroupAddAsync(group, renewed);
        Time.Advance((groupExpiry / 2) + TimeSpan.FromSeconds(1));

        Assert.Equal(2, await layer.GroupMemberCountAsync(group));
        Assert.Equal(new[] { renewed, young }.Order(StringComparer.Ordinal), await AllMembersAsync(layer, group, pageSize: 1));
    }

    [Fact]
    public async Task Flush_leaves_every_group_without_members()
    {
        var layer = await NewMembersLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Flush);
        var group = Name("room");
        await layer.GroupAddAsync(group, Name("a"));

        await layer.FlushAsync();

        Assert.Equal(0, await layer.GroupMemberCountAsync(group));
        Assert.Empty((await layer.GroupMembersAsync(group)).Channels);
    }

    [Fact]
    public async Task Member_queries_check_their_arguments()
    {
        var layer = await NewMembersLayerAsync();

        await Assert.ThrowsAsync<ArgumentException>(async () => await layer.GroupMemberCountAsync("bad name!"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await layer.GroupMembersAsync("bad name!"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await layer.GroupMembersAsync(Name("room"), pageSize: 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await layer.GroupMembersAsync(Name("room"), pageSize: ChannelLayer.MaxGroupMemberPageSize + 1));
    }

    /// <summary>Creates a layer and skips the test when its groups' members cannot be counted and listed.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The layer.</returns>
    protected async Task<ChannelLayer> NewMembersLayerAsync(ChannelLayerOptions? options = null)
    {
        var layer = await NewGroupLayerAsync(options);
        RequireCapability(layer, ChannelLayerCapabilities.GroupMembers);
        return layer;
    }

    private static async Task<List<string>> AllMembersAsync(ChannelLayer layer, string group, int pageSize)
    {
        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await layer.GroupMembersAsync(group, cursor, pageSize);
            listed.AddRange(page.Channels);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        listed.Sort(StringComparer.Ordinal);
        return listed;
    }
}
