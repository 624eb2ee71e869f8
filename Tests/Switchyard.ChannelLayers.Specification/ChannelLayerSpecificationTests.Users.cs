using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Users: a user's connections are the members of its user group, which every layer carries like any group.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    [Fact]
    public async Task A_message_sent_to_a_user_reaches_each_channel_of_that_user_and_no_other()
    {
        var layer = await NewGroupLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued | ChannelLayerCapabilities.GroupMemberCounts);
        var (adaPhone, adaLaptop, bob) = (Name("ada-phone"), Name("ada-laptop"), Name("bob"));
        var ada = $"ada-{TestId}@example.org";
        await layer.GroupAddAsync(UserGroups.For(ada), adaPhone);
        await layer.GroupAddAsync(UserGroups.For(ada), adaLaptop);
        await layer.GroupAddAsync(UserGroups.For($"bob-{TestId}"), bob);

        var sent = await layer.SendToUserAsync(ada, Message("for ada"));

        Assert.Equal(2, sent.Delivered);
        Assert.Equal("for ada", await ReceiveTextAsync(layer, adaPhone));
        Assert.Equal("for ada", await ReceiveTextAsync(layer, adaLaptop));
        await AssertNothingArrivesAsync(layer, bob);
    }

    [Fact]
    public async Task Disconnecting_a_user_sends_each_of_its_channels_the_disconnect_message()
    {
        var layer = await NewGroupLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued | ChannelLayerCapabilities.GroupMemberCounts);
        var channel = Name("tab");
        var user = $"user {TestId} / with spaces";
        await layer.GroupAddAsync(UserGroups.For(user), channel);

        var sent = await layer.DisconnectUserAsync(user);

        Assert.Equal(1, sent.Delivered);
        var message = await ReceiveWithinAsync(layer, channel);
        Assert.Equal(UserGroups.DisconnectMessageType, message.Type);
        Assert.Equal(0, message.Payload.Length);
    }

    [Fact]
    public void A_user_group_is_a_valid_group_name_the_same_everywhere_for_any_user_id()
    {
        string[] ids = ["ada", "Ada", "ada@example.org", "name with spaces/and slashes", new string('x', 5_000), "é\u202Eü"];
        var groups = ids.Select(UserGroups.For).ToArray();

        Assert.All(groups, group =>
        {
            ChannelNames.ValidateGroupName(group);
            Assert.StartsWith(UserGroups.Prefix, group, StringComparison.Ordinal);
        });
        Assert.Equal(groups.Length, groups.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(groups, ids.Select(UserGroups.For));
        Assert.Throws<ArgumentException>(() => UserGroups.For(string.Empty));
    }
}
