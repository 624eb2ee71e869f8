namespace Switchyard;

/// <summary>
/// What a channel layer supports beyond send, receive and new channel (Django Channels' <c>extensions</c>), and which
/// of the contract's storage guarantees it keeps. A layer without <see cref="Queued"/>, <see cref="Capacity"/> or
/// <see cref="Expiry"/> (the Redis pub/sub flavour) delivers only to receivers that are listening when a message is
/// sent; the conformance kit skips the tests that need what a layer lacks.
/// </summary>
[Flags]
public enum ChannelLayerCapabilities
{
    /// <summary>Only send, receive and new channel.</summary>
    None = 0,

    /// <summary>Group add, discard and send.</summary>
    Groups = 1,

    /// <summary>Flush: drop every message and group membership (for tests).</summary>
    Flush = 2,

    /// <summary>Channels and groups are shared with other processes.</summary>
    CrossProcess = 4,

    /// <summary>
    /// Channels have a capacity (<see cref="ChannelLayerOptions.Capacity"/>, <see cref="ChannelLayerOptions.ChannelCapacity"/>):
    /// a send to a channel holding that many unread messages fails with <see cref="ChannelFullException"/>, and a group
    /// send skips (and counts) full members. Without it sends never fail for lack of room.
    /// </summary>
    Capacity = 8,

    /// <summary>
    /// Unread messages expire after <see cref="ChannelLayerOptions.Expiry"/> (counted, and the channel leaves its groups)
    /// and group memberships expire after <see cref="ChannelLayerOptions.GroupExpiry"/>. Without it neither expires.
    /// </summary>
    Expiry = 16,

    /// <summary>
    /// A message sent to a channel nobody is receiving on is kept until a receive takes it, in any process. Without it
    /// delivery is to whoever listens at send time: a message sent before the channel's first receive is gone.
    /// </summary>
    Queued = 32,

    /// <summary>
    /// <see cref="GroupSendResult"/> counts member channels: <see cref="GroupSendResult.Delivered"/> is the number of
    /// members that got the message. Without it the count is the backend's own (the Redis pub/sub flavour counts the
    /// processes that listen to the group, not their members).
    /// </summary>
    GroupMemberCounts = 64,

    /// <summary>
    /// A group's members can be counted (<see cref="ChannelLayer.GroupMemberCountAsync"/>) and listed a page at a time
    /// (<see cref="ChannelLayer.GroupMembersAsync"/>), consistently with group expiry.
    /// </summary>
    GroupMembers = 128,

    /// <summary>
    /// Groups matching a <see cref="ChannelLayerOptions.GroupHistory"/> rule keep a bounded history: each group send
    /// gets a <see cref="GroupPosition"/> (the <see cref="MessageHeaders.Position"/> header), and
    /// <see cref="ChannelLayer.GroupHistoryAsync"/> gives the messages after a position, or says why it cannot.
    /// </summary>
    GroupHistory = 256,

    /// <summary>
    /// Groups matching a <see cref="ChannelLayerOptions.Presence"/> rule keep their members' <see cref="PresenceMember"/>
    /// (<see cref="ChannelLayer.JoinPresenceAsync"/>, <see cref="ChannelLayer.GroupPresenceAsync"/>) and tell their
    /// members of joins and leaves (<see cref="PresenceEvent"/>).
    /// </summary>
    Presence = 512,
}
