using static Switchyard.Ipc.Segment.ChannelObjects;

namespace Switchyard.Ipc.Segment;

/// <summary>
/// Presence in the shared segment (<see cref="ChannelLayerOptions.Presence"/>): per group a presence block named in the
/// name table with a growable array of entries — the member channel's name, its data (user id, info, joined at, as the
/// layer encodes them), and its owning process (slot + 1, 0 for a plain channel, and the incarnation) — so a sweep
/// removes what a dead process left and says who it was.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class PresenceStore(SharedSegment segment)
{
    // Presence payload.
    private const long PresenceName = 0;
    private const long PresenceEntries = 8;
    private const long PresenceCount = 16;
    private const long PresenceSize = 24;

    // Entry: the channel's name block, its data block (length then bytes), its owner.
    private const long EntryName = 0;
    private const long EntryData = 8;
    private const long EntryOwnerSlot = 16;
    private const long EntryOwnerIncarnation = 24;
    private const long EntrySize = 32;

    // Data payload: length, then bytes.
    private const long DataLength = 0;
    private const long DataBytes = 8;

    /// <summary>Records <paramref name="channel"/>'s presence in <paramref name="group"/> (replacing what it had).</summary>
    public void Add(string group, string channel, ChannelOwner owner, ReadOnlySpan<byte> data)
    {
        using var tx = segment.Begin();
        var block = NameTable.Find(tx, BlockKind.Presence, group);
        if (block == 0)
        {
            block = Heap.Allocate(tx, PresenceSize, BlockKind.Presence);
            tx.Init(Field(block, PresenceName), NameTable.NewName(tx, group));
            tx.Init(Field(block, PresenceEntries), 0);
            tx.Init(Field(block, PresenceCount), 0);
            NameTable.Add(tx, BlockKind.Presence, group, block);
        }

        var stored = Heap.Allocate(tx, DataBytes + data.Length, BlockKind.PresenceData);
        tx.Init(Field(stored, DataLength), data.Length);
        data.CopyTo(segment.Bytes(Field(stored, DataBytes), data.Length));
        if (IndexOf(tx, block, channel) is >= 0 and var index)
        {
            var existing = Entry(tx, block, index);
            Heap.Free(tx, tx.Read(existing + EntryData));
            tx.Write(existing + EntryData, stored);
            tx.Commit();
            return;
        }

        var count = tx.Read(Field(block, PresenceCount));
        var entry = Heap.AppendSlot(tx, Field(block, PresenceEntries), count, EntrySize, BlockKind.PresenceEntries);
        tx.Write(entry + EntryName, NameTable.NewName(tx, channel));
        tx.Write(entry + EntryData, stored);
        tx.Write(entry + EntryOwnerSlot, owner.Slot + 1);
        tx.Write(entry + EntryOwnerIncarnation, owner.Incarnation);
        tx.Write(Field(block, PresenceCount), count + 1);
        tx.Commit();
    }

    /// <summary>Removes <paramref name="channel"/>'s presence from <paramref name="group"/>; returns its data, or null when it had none.</summary>
    public byte[]? Remove(string group, string channel)
    {
        using var tx = segment.Begin();
        byte[]? data = null;
        var block = NameTable.Find(tx, BlockKind.Presence, group);
        if (block != 0 && IndexOf(tx, block, channel) is >= 0 and var index)
        {
            data = RemoveAt(tx, block, index, group).Data;
        }

        tx.Commit();
        return data;
    }

    /// <summary>Every present member of <paramref name="group"/>: its channel and data.</summary>
    public List<(string Channel, byte[] Data)> All(string group)
    {
        using var tx = segment.Begin();
        var members = new List<(string, byte[])>();
        var block = NameTable.Find(tx, BlockKind.Presence, group);
        for (var i = 0L; block != 0 && i < tx.Read(Field(block, PresenceCount)); i++)
        {
            var entry = Entry(tx, block, i);
            members.Add((NameTable.ReadName(tx, tx.Read(entry + EntryName)), ReadData(tx, tx.Read(entry + EntryData))));
        }

        tx.Commit();
        return members;
    }

    /// <summary>Removes the presence of the channels whose process is gone; returns who they were, per group.</summary>
    public List<(string Group, string Channel, byte[] Data)> Sweep()
    {
        using var tx = segment.Begin();
        var removed = new List<(string, string, byte[])>();
        foreach (var block in NameTable.All(tx, BlockKind.Presence))
        {
            var group = NameTable.ReadName(tx, tx.Read(Field(block, PresenceName)));
            for (var i = tx.Read(Field(block, PresenceCount)) - 1; i >= 0; i--)
            {
                var entry = Entry(tx, block, i);
                var ownerSlot = (int)tx.Read(entry + EntryOwnerSlot) - 1;
                if (ownerSlot >= 0 && tx.Read(ProcessEntry(ownerSlot) + ProcessIncarnation) != tx.Read(entry + EntryOwnerIncarnation))
                {
                    var (channel, data) = RemoveAt(tx, block, i, group);
                    removed.Add((group, channel, data));
                    if (NameTable.Find(tx, BlockKind.Presence, group) == 0)
                    {
                        break;
                    }
                }
            }
        }

        tx.Commit();
        removed.Reverse();
        return removed;
    }

    // Removes entry index (the last entry moves into its place); the group's block goes with its last entry.
    private (string Channel, byte[] Data) RemoveAt(SegmentTransaction tx, long block, long index, string group)
    {
        var entry = Entry(tx, block, index);
        var nameBlock = tx.Read(entry + EntryName);
        var channel = NameTable.ReadName(tx, nameBlock);
        var dataBlock = tx.Read(entry + EntryData);
        var data = ReadData(tx, dataBlock);
        Heap.Free(tx, nameBlock);
        Heap.Free(tx, dataBlock);
        var last = tx.Read(Field(block, PresenceCount)) - 1;
        if (index != last)
        {
            var moved = Entry(tx, block, last);
            for (var word = 0L; word < EntrySize; word += 8)
            {
                tx.Write(entry + word, tx.Read(moved + word));
            }
        }

        tx.Write(Field(block, PresenceCount), last);
        if (last == 0)
        {
            NameTable.Remove(tx, BlockKind.Presence, group);
            Heap.Free(tx, tx.Read(Field(block, PresenceName)));
            if (tx.Read(Field(block, PresenceEntries)) is var entries and not 0)
            {
                Heap.Free(tx, entries);
            }

            Heap.Free(tx, block);
        }

        return (channel, data);
    }

    private byte[] ReadData(SegmentTransaction tx, long data) =>
        segment.Bytes(Field(data, DataBytes), checked((int)tx.Read(Field(data, DataLength)))).ToArray();

    private static long IndexOf(SegmentTransaction tx, long block, string channel)
    {
        for (var i = 0L; i < tx.Read(Field(block, PresenceCount)); i++)
        {
            if (NameTable.ReadName(tx, tx.Read(Entry(tx, block, i) + EntryName)) == channel)
            {
                return i;
            }
        }

        return -1;
    }

    private static long Entry(SegmentTransaction tx, long block, long index) => Heap.Payload(tx.Read(Field(block, PresenceEntries))) + (index * EntrySize);
}
