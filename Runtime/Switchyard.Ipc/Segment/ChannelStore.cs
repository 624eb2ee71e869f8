using static Switchyard.Ipc.Segment.ChannelObjects;

namespace Switchyard.Ipc.Segment;

/// <summary>
/// The layer's operations on the shared segment, each one transaction (a group send one per chunk of members): plain
/// data in, plain data out, nothing awaited under the lock. Expiry is checked against the time the caller passes (the
/// layer's clock), so every process agrees on what has expired.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ChannelStore(SharedSegment segment)
{
    /// <summary>Members queued per transaction of a group send (each transaction copies the message once).</summary>
    public const int GroupChunk = 1024;

    /// <summary>Gets the segment.</summary>
    public SharedSegment Segment => segment;

    /// <summary>Queues <paramref name="message"/> on <paramref name="channel"/> unless it holds <paramref name="capacity"/> unexpired messages.</summary>
    public SendOutcome Send(string channel, ChannelOwner owner, ReadOnlySpan<byte> message, long now, long expiresAt, int capacity)
    {
        using var tx = segment.Begin();
        var block = FindOrAddChannel(tx, channel, owner);
        var expired = DropExpired(tx, block, now);
        if (tx.Read(Field(block, ChannelCount)) >= capacity)
        {
            tx.Commit();
            return new SendOutcome(false, expired, 0);
        }

        var stored = NewMessage(tx, message);
        tx.Init(Heap.Aux(stored), 1);
        Append(tx, block, stored, expiresAt);
        var waiters = tx.Read(Field(block, ChannelWaiters));
        tx.Commit();
        return new SendOutcome(true, expired, waiters);
    }

    /// <summary>
    /// Takes the first unexpired message of <paramref name="channel"/>, if any, saying whether more are left. When there is none and
    /// <paramref name="waitingSlot"/> is a process slot, that process is marked as waiting on the channel (in the same
    /// transaction, so a send after it sees the mark and rings the process's doorbell).
    /// </summary>
    public TakeOutcome TryTake(string channel, ChannelOwner owner, long now, int waitingSlot)
    {
        using var tx = segment.Begin();
        var block = NameTable.Find(tx, BlockKind.Channel, channel);
        if (block == 0)
        {
            if (waitingSlot >= 0)
            {
                block = FindOrAddChannel(tx, channel, owner);
                tx.Write(Field(block, ChannelWaiters), 1L << waitingSlot);
            }

            tx.Commit();
            return default;
        }

        var expired = DropExpired(tx, block, now);
        var head = tx.Read(Field(block, ChannelHead));
        byte[]? taken = null;
        var more = false;
        if (head != 0)
        {
            taken = Unlink(tx, block, head);
            more = tx.Read(Field(block, ChannelHead)) != 0;
        }
        else if (waitingSlot >= 0)
        {
            tx.Write(Field(block, ChannelWaiters), tx.Read(Field(block, ChannelWaiters)) | (1L << waitingSlot));
        }

        RemoveChannelIfUnused(tx, block, channel);
        tx.Commit();
        return new TakeOutcome(taken, expired, more);
    }

    /// <summary>Marks <paramref name="slot"/>'s process as waiting on <paramref name="channel"/> (a forwarder is attached there), without taking anything.</summary>
    public void Mark(string channel, ChannelOwner owner, int slot)
    {
        using var tx = segment.Begin();
        var block = FindOrAddChannel(tx, channel, owner);
        tx.Write(Field(block, ChannelWaiters), tx.Read(Field(block, ChannelWaiters)) | (1L << slot));
        tx.Commit();
    }

    /// <summary>
    /// Takes, in one transaction, up to <c>wanted</c> unexpired messages of each channel given (a process woken for many
    /// channels at once, by a group send, fetches what its waiting receives want in one go). The indexes of channels
    /// that still hold messages afterwards go to <paramref name="leftOver"/>.
    /// </summary>
    public List<(int Index, byte[] Message)> TakeMany(IReadOnlyList<(string Channel, int Wanted)> channels, long now, List<(string Channel, int Count)> expired, List<int> leftOver)
    {
        var taken = new List<(int, byte[])>();
        using var tx = segment.Begin();
        for (var i = 0; i < channels.Count; i++)
        {
            var (channel, wanted) = channels[i];
            var block = NameTable.Find(tx, BlockKind.Channel, channel);
            if (block == 0)
            {
                continue;
            }

            if (DropExpired(tx, block, now) is > 0 and var dropped)
            {
                expired.Add((channel, dropped));
            }

            for (var n = 0; n < wanted && tx.Read(Field(block, ChannelHead)) is var head and not 0; n++)
            {
                taken.Add((i, Unlink(tx, block, head)));
            }

            if (tx.Read(Field(block, ChannelHead)) != 0)
            {
                leftOver.Add(i);
            }

            RemoveChannelIfUnused(tx, block, channel);
        }

        tx.Commit();
        return taken;
    }

    /// <summary>Clears <paramref name="slot"/>'s waiting mark on <paramref name="channel"/> (nothing in that process waits on it any more).</summary>
    public void StopWaiting(string channel, int slot)
    {
        using var tx = segment.Begin();
        var block = NameTable.Find(tx, BlockKind.Channel, channel);
        if (block != 0)
        {
            tx.Write(Field(block, ChannelWaiters), tx.Read(Field(block, ChannelWaiters)) & ~(1L << slot));
            RemoveChannelIfUnused(tx, block, channel);
        }

        tx.Commit();
    }

    /// <summary>Adds <paramref name="channel"/> to <paramref name="group"/>, or renews its membership.</summary>
    public void GroupAdd(string group, string channel, ChannelOwner owner, long now)
    {
        using var tx = segment.Begin();
        var block = NameTable.Find(tx, BlockKind.Group, group);
        if (block == 0)
        {
            block = Heap.Allocate(tx, GroupSize, BlockKind.Group);
            tx.Init(Field(block, GroupName), NameTable.NewName(tx, group));
            tx.Init(Field(block, GroupMembers), 0);
            tx.Init(Field(block, GroupCount), 0);
            NameTable.Add(tx, BlockKind.Group, group, block);
        }

        var index = IndexOfMember(tx, block, channel);
        if (index >= 0)
        {
            tx.Write(Member(tx, block, index) + MemberJoinedAt, now);
            tx.Commit();
            return;
        }

        var count = tx.Read(Field(block, GroupCount));
        var entry = Heap.AppendSlot(tx, Field(block, GroupMembers), count, MemberSize, BlockKind.Members);
        tx.Write(entry + MemberName, NameTable.NewName(tx, channel));
        tx.Write(entry + MemberJoinedAt, now);
        tx.Write(entry + MemberOwnerSlot, owner.Slot + 1);
        tx.Write(entry + MemberOwnerIncarnation, owner.Incarnation);
        tx.Write(Field(block, GroupCount), count + 1);
        tx.Commit();
    }

    /// <summary>Removes <paramref name="channel"/> from <paramref name="group"/>.</summary>
    public void GroupDiscard(string group, string channel)
    {
        using var tx = segment.Begin();
        var block = NameTable.Find(tx, BlockKind.Group, group);
        if (block != 0 && IndexOfMember(tx, block, channel) is >= 0 and var index)
        {
            RemoveMember(tx, block, index);
            RemoveGroupIfEmpty(tx, block, group);
        }

        tx.Commit();
    }

    /// <summary>The group's members that joined after <paramref name="cutoff"/>, with their owners; expired memberships are removed.</summary>
    public List<(string Channel, ChannelOwner Owner)> LiveMembers(string group, long cutoff)
    {
        using var tx = segment.Begin();
        var members = new List<(string, ChannelOwner)>();
        var block = NameTable.Find(tx, BlockKind.Group, group);
        if (block != 0)
        {
            for (var i = tx.Read(Field(block, GroupCount)) - 1; i >= 0; i--)
            {
                var entry = Member(tx, block, i);
                if (tx.Read(entry + MemberJoinedAt) <= cutoff)
                {
                    RemoveMember(tx, block, i);
                    continue;
                }

                members.Add((NameTable.ReadName(tx, tx.Read(entry + MemberName)), new ChannelOwner((int)tx.Read(entry + MemberOwnerSlot) - 1, tx.Read(entry + MemberOwnerIncarnation))));
            }

            RemoveGroupIfEmpty(tx, block, group);
        }

        tx.Commit();
        members.Reverse();
        return members;
    }

    /// <summary>The number of the group's members that joined after <paramref name="cutoff"/>; expired memberships are removed.</summary>
    public int CountMembers(string group, long cutoff)
    {
        using var tx = segment.Begin();
        var count = 0;
        var block = NameTable.Find(tx, BlockKind.Group, group);
        if (block != 0)
        {
            for (var i = tx.Read(Field(block, GroupCount)) - 1; i >= 0; i--)
            {
                if (tx.Read(Member(tx, block, i) + MemberJoinedAt) <= cutoff)
                {
                    RemoveMember(tx, block, i);
                    continue;
                }

                count++;
            }

            RemoveGroupIfEmpty(tx, block, group);
        }

        tx.Commit();
        return count;
    }

    /// <summary>
    /// Queues one copy of <paramref name="message"/> for the members given (one chunk of a group send): each member with
    /// room gets a node naming it. Returns per member whether it was queued, messages that expired on the way, and the
    /// waiting marks of the channels that got it.
    /// </summary>
    public void SendToMembers(IReadOnlyList<(string Channel, ChannelOwner Owner)> members, int start, int count, ReadOnlySpan<byte> message, long now, long expiresAt, Func<string, int> capacityOf, MemberOutcome[] outcomes)
    {
        using var tx = segment.Begin();
        var stored = NewMessage(tx, message);
        long references = 0;
        for (var i = start; i < start + count; i++)
        {
            var (channel, owner) = members[i];
            var block = FindOrAddChannel(tx, channel, owner);
            var expired = DropExpired(tx, block, now);
            if (tx.Read(Field(block, ChannelCount)) >= capacityOf(channel))
            {
                outcomes[i] = new MemberOutcome(false, expired, 0);
                continue;
            }

            Append(tx, block, stored, expiresAt);
            references++;
            outcomes[i] = new MemberOutcome(true, expired, tx.Read(Field(block, ChannelWaiters)));
        }

        if (references == 0)
        {
            Heap.Free(tx, stored);
        }
        else
        {
            tx.Init(Heap.Aux(stored), references);
        }

        tx.Commit();
    }

    /// <summary>Empties the segment's channels and groups (every process's).</summary>
    public void Flush()
    {
        using var tx = segment.Begin();
        segment.ClearTables();
        tx.Commit();
    }

    /// <summary>
    /// Drops expired messages everywhere, expired memberships, and what dead processes left (their process-local
    /// channels, their memberships, their table entries). <paramref name="isAlive"/> probes a process slot.
    /// </summary>
    public SweepOutcome Sweep(long now, long groupCutoff, Func<int, long, bool> isAlive)
    {
        using var tx = segment.Begin();
        var dead = new List<ChannelOwner>();
        for (var slot = 0; slot < SegmentLayout.ProcessCapacity; slot++)
        {
            var entry = ProcessEntry(slot);
            var incarnation = tx.Read(entry + ProcessIncarnation);
            if (incarnation != 0 && !isAlive(slot, incarnation))
            {
                dead.Add(new ChannelOwner(slot, incarnation));
                tx.Write(entry + ProcessIncarnation, 0);
                tx.Write(entry + ProcessPid, 0);
            }
        }

        var expired = new List<(string Channel, int Count)>();
        foreach (var block in NameTable.All(tx, BlockKind.Channel))
        {
            var name = NameTable.ReadName(tx, tx.Read(Field(block, ChannelName)));
            var ownerSlot = (int)tx.Read(Field(block, ChannelOwnerSlot)) - 1;
            if (ownerSlot >= 0 && IsGone(tx, ownerSlot, tx.Read(Field(block, ChannelOwnerIncarnation))))
            {
                DeleteChannel(tx, block, name);
                continue;
            }

            foreach (var (slot, _) in dead)
            {
                tx.Write(Field(block, ChannelWaiters), tx.Read(Field(block, ChannelWaiters)) & ~(1L << slot));
            }

            if (DropExpired(tx, block, now) is > 0 and var count)
            {
                expired.Add((name, count));
            }

            RemoveChannelIfUnused(tx, block, name);
        }

        var removedMembers = 0;
        foreach (var block in NameTable.All(tx, BlockKind.Group))
        {
            for (var i = tx.Read(Field(block, GroupCount)) - 1; i >= 0; i--)
            {
                var entry = Member(tx, block, i);
                var ownerSlot = (int)tx.Read(entry + MemberOwnerSlot) - 1;
                if (tx.Read(entry + MemberJoinedAt) <= groupCutoff
                    || (ownerSlot >= 0 && IsGone(tx, ownerSlot, tx.Read(entry + MemberOwnerIncarnation))))
                {
                    RemoveMember(tx, block, i);
                    removedMembers++;
                }
            }

            RemoveGroupIfEmpty(tx, block, NameTable.ReadName(tx, tx.Read(Field(block, GroupName))));
        }

        tx.Commit();
        return new SweepOutcome(expired, dead, removedMembers);
    }

    /// <summary>Records that a ring to <paramref name="slot"/>'s doorbell was lost (its socket's queue was full).</summary>
    public void MarkMissedRing(int slot)
    {
        using var tx = segment.Begin();
        tx.Write(ProcessEntry(slot) + ProcessMissedRing, 1);
        tx.Commit();
    }

    /// <summary>Whether a ring to <paramref name="slot"/> was lost since the last call (and forgets it).</summary>
    public bool TakeMissedRing(int slot)
    {
        using var tx = segment.Begin();
        var missed = tx.Read(ProcessEntry(slot) + ProcessMissedRing) != 0;
        tx.Write(ProcessEntry(slot) + ProcessMissedRing, 0);
        tx.Commit();
        return missed;
    }

    /// <summary>
    /// Takes a free process slot for a process of this incarnation; -1 when every slot is taken by a live process.
    /// <paramref name="claim"/> takes a slot's liveness lock for the process, in the transaction (a slot whose lock it
    /// cannot take is passed over), so no sweep sees the slot registered without its lock held.
    /// </summary>
    public int Register(long incarnation, long now, Func<int, long, bool> isAlive, Func<int, bool> claim)
    {
        using var tx = segment.Begin();
        for (var pass = 0; pass < 2; pass++)
        {
            for (var slot = 0; slot < SegmentLayout.ProcessCapacity; slot++)
            {
                var entry = ProcessEntry(slot);
                var taken = tx.Read(entry + ProcessIncarnation);

                // The second pass takes the slot of a process that died without a sweep having seen it yet; what it
                // left is removed by the next sweep, which compares incarnations.
                if ((taken == 0 || (pass == 1 && !isAlive(slot, taken))) && claim(slot))
                {
                    tx.Write(entry + ProcessPid, Environment.ProcessId);
                    tx.Write(entry + ProcessIncarnation, incarnation);
                    tx.Write(entry + ProcessSince, now);
                    tx.Write(entry + ProcessMissedRing, 0);
                    tx.Commit();
                    return slot;
                }
            }
        }

        tx.Commit();
        return -1;
    }

    /// <summary>Removes what a closing process leaves (its process-local channels and their memberships) and frees its slot.</summary>
    public void Unregister(ChannelOwner owner)
    {
        using var tx = segment.Begin();
        if (tx.Read(ProcessEntry(owner.Slot) + ProcessIncarnation) == owner.Incarnation)
        {
            tx.Write(ProcessEntry(owner.Slot) + ProcessIncarnation, 0);
            tx.Write(ProcessEntry(owner.Slot) + ProcessPid, 0);
        }

        tx.Commit();

        // The rest as a sweep would do it, now rather than later.
        Sweep(long.MinValue, long.MinValue, (slot, incarnation) => slot != owner.Slot || incarnation != owner.Incarnation);
    }

    // Whether the process that owned something is gone: its slot is free or another process's now (a channel made for it
    // by a send after it died, or a membership, is removed by the next sweep, not only those the sweep saw it die with).
    private static bool IsGone(SegmentTransaction tx, int slot, long incarnation) =>
        tx.Read(ProcessEntry(slot) + ProcessIncarnation) != incarnation;

    private long FindOrAddChannel(SegmentTransaction tx, string channel, ChannelOwner owner)
    {
        var block = NameTable.Find(tx, BlockKind.Channel, channel);
        if (block != 0)
        {
            return block;
        }

        block = Heap.Allocate(tx, ChannelSize, BlockKind.Channel);
        tx.Init(Field(block, ChannelName), NameTable.NewName(tx, channel));
        tx.Init(Field(block, ChannelHead), 0);
        tx.Init(Field(block, ChannelTail), 0);
        tx.Init(Field(block, ChannelCount), 0);
        tx.Init(Field(block, ChannelWaiters), 0);
        tx.Init(Field(block, ChannelOwnerSlot), owner.Slot + 1);
        tx.Init(Field(block, ChannelOwnerIncarnation), owner.Incarnation);
        NameTable.Add(tx, BlockKind.Channel, channel, block);
        return block;
    }

    private long NewMessage(SegmentTransaction tx, ReadOnlySpan<byte> message)
    {
        var stored = Heap.Allocate(tx, MessageBytes + message.Length, BlockKind.Message);
        tx.Init(Field(stored, MessageLength), message.Length);
        message.CopyTo(segment.Bytes(Field(stored, MessageBytes), message.Length));
        return stored;
    }

    private static void Append(SegmentTransaction tx, long channel, long message, long expiresAt)
    {
        var node = Heap.Allocate(tx, NodeSize, BlockKind.Node);
        tx.Init(Field(node, NodeNext), 0);
        tx.Init(Field(node, NodeMessage), message);
        tx.Init(Field(node, NodeExpiresAt), expiresAt);
        var tail = tx.Read(Field(channel, ChannelTail));
        if (tail == 0)
        {
            tx.Write(Field(channel, ChannelHead), node);
        }
        else
        {
            tx.Write(Field(tail, NodeNext), node);
        }

        tx.Write(Field(channel, ChannelTail), node);
        tx.Write(Field(channel, ChannelCount), tx.Read(Field(channel, ChannelCount)) + 1);
    }

    // Takes the head node off the queue; returns its message's bytes (copied out) and releases the node and, with its
    // last node, the message.
    private byte[] Unlink(SegmentTransaction tx, long channel, long head)
    {
        var next = tx.Read(Field(head, NodeNext));
        tx.Write(Field(channel, ChannelHead), next);
        if (next == 0)
        {
            tx.Write(Field(channel, ChannelTail), 0);
        }

        tx.Write(Field(channel, ChannelCount), tx.Read(Field(channel, ChannelCount)) - 1);
        var message = tx.Read(Field(head, NodeMessage));
        var bytes = segment.Bytes(Field(message, MessageBytes), checked((int)tx.Read(Field(message, MessageLength)))).ToArray();
        Release(tx, message);
        Heap.Free(tx, head);
        return bytes;
    }

    private static void Release(SegmentTransaction tx, long message)
    {
        var references = tx.Read(Heap.Aux(message)) - 1;
        if (references <= 0)
        {
            Heap.Free(tx, message);
        }
        else
        {
            tx.Write(Heap.Aux(message), references);
        }
    }

    // Drops the expired nodes at the head (they expire in the order they were queued); returns how many.
    private static int DropExpired(SegmentTransaction tx, long channel, long now)
    {
        var dropped = 0;
        while (tx.Read(Field(channel, ChannelHead)) is var head and not 0 && tx.Read(Field(head, NodeExpiresAt)) <= now)
        {
            var next = tx.Read(Field(head, NodeNext));
            tx.Write(Field(channel, ChannelHead), next);
            if (next == 0)
            {
                tx.Write(Field(channel, ChannelTail), 0);
            }

            tx.Write(Field(channel, ChannelCount), tx.Read(Field(channel, ChannelCount)) - 1);
            Release(tx, tx.Read(Field(head, NodeMessage)));
            Heap.Free(tx, head);
            dropped++;
        }

        return dropped;
    }

    private static void RemoveChannelIfUnused(SegmentTransaction tx, long channel, string name)
    {
        if (tx.Read(Field(channel, ChannelHead)) == 0 && tx.Read(Field(channel, ChannelWaiters)) == 0)
        {
            DeleteChannel(tx, channel, name);
        }
    }

    private static void DeleteChannel(SegmentTransaction tx, long channel, string name)
    {
        while (tx.Read(Field(channel, ChannelHead)) is var head and not 0)
        {
            tx.Write(Field(channel, ChannelHead), tx.Read(Field(head, NodeNext)));
            Release(tx, tx.Read(Field(head, NodeMessage)));
            Heap.Free(tx, head);
        }

        NameTable.Remove(tx, BlockKind.Channel, name);
        Heap.Free(tx, tx.Read(Field(channel, ChannelName)));
        Heap.Free(tx, channel);
    }

    private static long Member(SegmentTransaction tx, long group, long index) =>
        Heap.Payload(tx.Read(Field(group, GroupMembers))) + (index * MemberSize);

    private static long IndexOfMember(SegmentTransaction tx, long group, string channel)
    {
        var count = tx.Read(Field(group, GroupCount));
        for (long i = 0; i < count; i++)
        {
            if (NameTable.ReadName(tx, tx.Read(Member(tx, group, i) + MemberName)) == channel)
            {
                return i;
            }
        }

        return -1;
    }

    // The last member takes the removed one's place (membership order does not matter).
    private static void RemoveMember(SegmentTransaction tx, long group, long index)
    {
        var count = tx.Read(Field(group, GroupCount));
        var removed = Member(tx, group, index);
        Heap.Free(tx, tx.Read(removed + MemberName));
        if (index != count - 1)
        {
            var last = Member(tx, group, count - 1);
            for (long field = 0; field < MemberSize; field += 8)
            {
                tx.Write(removed + field, tx.Read(last + field));
            }
        }

        tx.Write(Field(group, GroupCount), count - 1);
    }

    private static void RemoveGroupIfEmpty(SegmentTransaction tx, long group, string name)
    {
        if (tx.Read(Field(group, GroupCount)) != 0)
        {
            return;
        }

        NameTable.Remove(tx, BlockKind.Group, name);
        if (tx.Read(Field(group, GroupMembers)) is var members and not 0)
        {
            Heap.Free(tx, members);
        }

        Heap.Free(tx, tx.Read(Field(group, GroupName)));
        Heap.Free(tx, group);
    }
}

/// <summary>The process that owns a process-local channel: its slot in the process table (-1: none, a plain channel) and its incarnation.</summary>
internal readonly record struct ChannelOwner(int Slot, long Incarnation)
{
    public static ChannelOwner None => new(-1, 0);
}

/// <summary>What a send did: queued or full, messages that expired on the way, and the processes waiting on the channel (a bit per slot).</summary>
internal readonly record struct SendOutcome(bool Queued, int Expired, long Waiters);

/// <summary>What a receive found: the message's bytes (null: none), and messages that expired on the way.</summary>
internal readonly record struct TakeOutcome(byte[]? Message, int Expired, bool More);

/// <summary>What a group send did for one member.</summary>
internal readonly record struct MemberOutcome(bool Queued, int Expired, long Waiters);

/// <summary>What a sweep removed.</summary>
internal readonly record struct SweepOutcome(List<(string Channel, int Count)> Expired, List<ChannelOwner> DeadProcesses, int RemovedMemberships);
