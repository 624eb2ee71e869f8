namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>The operations of the layer-host protocol; the comment says who sends it and what it carries.</summary>
internal enum Operation : byte
{
    /// <summary>Parent call: options and start time; answers the layer's name, capabilities and connection state.</summary>
    Create = 1,

    /// <summary>Parent call: channel and message.</summary>
    Send = 2,

    /// <summary>Parent call (cancellable): channel; answers a message.</summary>
    Receive = 3,

    /// <summary>Parent call: prefix; answers a channel name.</summary>
    NewChannel = 4,

    /// <summary>Parent call: group and channel.</summary>
    GroupAdd = 5,

    /// <summary>Parent call: group and channel.</summary>
    GroupDiscard = 6,

    /// <summary>Parent call: group and message; answers delivered and skipped counts.</summary>
    GroupSend = 7,

    /// <summary>Parent call.</summary>
    Flush = 8,

    /// <summary>Parent call: closes the layer; the host then exits once its input ends.</summary>
    Close = 9,

    /// <summary>Parent call: channel and attachment id; attaches a forwarder that relays to the parent's.</summary>
    Attach = 10,

    /// <summary>Parent post: attachment id.</summary>
    Detach = 11,

    /// <summary>Parent post: the parent's clock (UTC ticks) after it moved.</summary>
    Time = 12,

    /// <summary>Parent call: group; answers the member count.</summary>
    GroupMemberCount = 13,

    /// <summary>Parent call: group, cursor (or null) and page size; answers the page's channels and next cursor.</summary>
    GroupMembers = 14,

    /// <summary>Parent call: group and whether a position follows (then epoch, offset); answers the loss, the latest position and the messages.</summary>
    GroupHistory = 15,

    /// <summary>Host call: attachment id, message id, message and whether the layer may wait; answers a ForwardOutcome.</summary>
    Forward = 20,

    /// <summary>Host call (cancellable): attachment id; answers once the parent's forwarder has room.</summary>
    WaitForRoom = 21,

    /// <summary>Host post: one measurement of the host layer's meters.</summary>
    Measurement = 22,

    /// <summary>Host post: the layer's connection to its backend changed.</summary>
    ConnectionChanged = 23,
}
