namespace Switchyard.Ipc.Segment;

/// <summary>
/// The objects the segment's heap holds, as word offsets into their payload. A channel is a queue of nodes, each naming
/// a message block (shared by the nodes of one group send, counted by its reference count) and its expiry. A group is a
/// growable array of members. A process-local channel, and a membership of one, records its owning process (slot + 1,
/// and the process's incarnation), so a sweep removes what a dead process left.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class ChannelObjects
{
    // Channel payload.
    public const long ChannelName = 0;
    public const long ChannelHead = 8;
    public const long ChannelTail = 16;
    public const long ChannelCount = 24;
    public const long ChannelWaiters = 32;
    public const long ChannelOwnerSlot = 40;
    public const long ChannelOwnerIncarnation = 48;
    public const long ChannelSize = 56;

    // Queue node payload.
    public const long NodeNext = 0;
    public const long NodeMessage = 8;
    public const long NodeExpiresAt = 16;
    public const long NodeSize = 24;

    // Message payload: its length, then its bytes; the block's aux word counts the nodes naming it.
    public const long MessageLength = 0;
    public const long MessageBytes = 8;

    // Group payload.
    public const long GroupName = 0;
    public const long GroupMembers = 8;
    public const long GroupCount = 16;
    public const long GroupSize = 24;

    // A member: its channel's name block (the group's own copy), when it joined, its owner (slot + 1, 0 for a plain
    // channel) and the owner's incarnation.
    public const long MemberName = 0;
    public const long MemberJoinedAt = 8;
    public const long MemberOwnerSlot = 16;
    public const long MemberOwnerIncarnation = 24;
    public const long MemberSize = 32;

    // Process table entry: pid, incarnation (0: free), when it registered, and whether a ring to it was lost.
    public const long ProcessPid = 0;
    public const long ProcessIncarnation = 8;
    public const long ProcessSince = 16;
    public const long ProcessMissedRing = 24;

    public static long Field(long block, long field) => Heap.Payload(block) + field;

    public static long ProcessEntry(int slot) => SegmentLayout.ProcessTableOffset + (slot * SegmentLayout.ProcessEntrySize);
}
