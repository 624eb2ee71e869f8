using System.Text;

namespace Switchyard.Ipc.Segment;

/// <summary>
/// Channel and group names to their objects in the heap: an open-addressing table with linear probing and
/// backward-shift deletion (no tombstones, so a table that sees names come and go all day does not fill up with them).
/// An entry is two words, the name's hash (0: empty) and its object; the object's first payload word is its name block.
/// The hash is FNV-1a over the kind and the name, the same in every process.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class NameTable
{
    private static long Capacity(SegmentTransaction tx) => tx.Read(SegmentLayout.NameTableCapacityOffset);

    private static long Entry(long slot) => SegmentLayout.NameTableOffset + (slot * SegmentLayout.NameEntrySize);

    /// <summary>The object named <paramref name="name"/> of <paramref name="kind"/>, or 0.</summary>
    public static long Find(SegmentTransaction tx, BlockKind kind, string name) => FindSlot(tx, kind, name, out _) is >= 0 and var slot ? tx.Read(Entry(slot) + 8) : 0;

    /// <summary>Adds <paramref name="block"/> (an object whose name block is set) under its name.</summary>
    /// <exception cref="IpcLayerException">The table is full.</exception>
    public static void Add(SegmentTransaction tx, BlockKind kind, string name, long block)
    {
        var capacity = Capacity(tx);
        var count = tx.Read(SegmentLayout.NameCountOffset);
        if (count + 1 > capacity - (capacity / 8))
        {
            throw new IpcLayerException($"The shared segment's name table is full ({count} channels and groups). Raise IpcChannelLayerOptions.MaxNames (every process of the namespace, after they all stopped).");
        }

        var hash = Hash(kind, name);
        var slot = hash & (capacity - 1);
        while (tx.Read(Entry(slot)) != 0)
        {
            slot = (slot + 1) & (capacity - 1);
        }

        tx.Write(Entry(slot) + 8, block);
        tx.Write(Entry(slot), hash);
        tx.Write(SegmentLayout.NameCountOffset, count + 1);
    }

    /// <summary>Removes the name of <paramref name="kind"/> from the table (its object is the caller's to free).</summary>
    public static void Remove(SegmentTransaction tx, BlockKind kind, string name)
    {
        var slot = FindSlot(tx, kind, name, out _);
        if (slot < 0)
        {
            return;
        }

        var capacity = Capacity(tx);
        var mask = capacity - 1;

        // Backward shift: move later entries of the run into the hole while they may live there.
        var hole = slot;
        var next = (hole + 1) & mask;
        while (tx.Read(Entry(next)) is var hash and not 0)
        {
            var home = hash & mask;
            var distanceFromHome = (next - home) & mask;
            var distanceToHole = (next - hole) & mask;
            if (distanceFromHome >= distanceToHole)
            {
                tx.Write(Entry(hole), hash);
                tx.Write(Entry(hole) + 8, tx.Read(Entry(next) + 8));
                hole = next;
            }

            next = (next + 1) & mask;
        }

        tx.Write(Entry(hole), 0);
        tx.Write(Entry(hole) + 8, 0);
        tx.Write(SegmentLayout.NameCountOffset, tx.Read(SegmentLayout.NameCountOffset) - 1);
    }

    /// <summary>Every object of <paramref name="kind"/>, for a sweep (a snapshot: the caller may remove as it goes).</summary>
    public static List<long> All(SegmentTransaction tx, BlockKind kind)
    {
        var found = new List<long>();
        var capacity = Capacity(tx);
        for (long slot = 0; slot < capacity; slot++)
        {
            if (tx.Read(Entry(slot)) != 0 && tx.Read(Entry(slot) + 8) is var block && Heap.KindOf(tx, block) == kind)
            {
                found.Add(block);
            }
        }

        return found;
    }

    /// <summary>Makes a name block.</summary>
    public static long NewName(SegmentTransaction tx, string name)
    {
        var length = Encoding.UTF8.GetByteCount(name);
        var block = Heap.Allocate(tx, 8 + length, BlockKind.Name);
        tx.Init(Heap.Payload(block), length);
        Encoding.UTF8.GetBytes(name, tx.Segment.Bytes(Heap.Payload(block) + 8, length));
        return block;
    }

    /// <summary>Reads a name block.</summary>
    public static string ReadName(SegmentTransaction tx, long nameBlock)
    {
        var length = (int)tx.Read(Heap.Payload(nameBlock));
        return Encoding.UTF8.GetString(tx.Segment.Bytes(Heap.Payload(nameBlock) + 8, length));
    }

    private static bool NameEquals(SegmentTransaction tx, long nameBlock, string name)
    {
        var length = (int)tx.Read(Heap.Payload(nameBlock));
        var bytes = tx.Segment.Bytes(Heap.Payload(nameBlock) + 8, length);
        if (length != name.Length)
        {
            return false;
        }

        // Channel and group names are ASCII (ChannelNames validates them).
        for (var i = 0; i < length; i++)
        {
            if (bytes[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }

    private static long FindSlot(SegmentTransaction tx, BlockKind kind, string name, out long hash)
    {
        hash = Hash(kind, name);
        var capacity = Capacity(tx);
        var slot = hash & (capacity - 1);
        while (tx.Read(Entry(slot)) is var stored and not 0)
        {
            if (stored == hash)
            {
                var block = tx.Read(Entry(slot) + 8);
                if (Heap.KindOf(tx, block) == kind && NameEquals(tx, tx.Read(Heap.Payload(block)), name))
                {
                    return slot;
                }
            }

            slot = (slot + 1) & (capacity - 1);
        }

        return -1;
    }

    private static long Hash(BlockKind kind, string name)
    {
        const ulong Offset = 14695981039346656037;
        const ulong Prime = 1099511628211;
        var hash = (Offset ^ (ulong)kind) * Prime;
        foreach (var c in name)
        {
            hash = (hash ^ c) * Prime;
        }

        // Non-zero (0 marks an empty entry) and non-negative (it is masked into a slot).
        return (long)(hash >> 1) | 1;
    }
}
