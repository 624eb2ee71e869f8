using System.Numerics;

namespace Switchyard.Ipc.Segment;

/// <summary>
/// Blocks of the segment's heap, in power-of-two size classes from 32 bytes, each with a 16-byte header: its class and
/// kind, then one word its owner uses (the next free block while it is free, a message's reference count). Freed blocks
/// go on their class's free list and are handed out again; the heap never shrinks, but a flush empties it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class Heap
{
    /// <summary>Bytes before a block's payload.</summary>
    public const int HeaderSize = 16;

    private const int SmallestBlock = 32;

    /// <summary>The payload's offset in a block.</summary>
    public static long Payload(long block) => block + HeaderSize;

    /// <summary>The block of a payload.</summary>
    public static long BlockOf(long payload) => payload - HeaderSize;

    /// <summary>The word a block's owner uses (a message's reference count).</summary>
    public static long Aux(long block) => block + 8;

    /// <summary>What kind of object the block holds.</summary>
    public static BlockKind KindOf(SegmentTransaction tx, long block) => (BlockKind)(tx.Read(block) >> 32);

    /// <summary>Allocates a block with room for <paramref name="payloadBytes"/>; its payload is undefined (set it with Init).</summary>
    /// <exception cref="IpcLayerException">The heap has no room left.</exception>
    public static long Allocate(SegmentTransaction tx, long payloadBytes, BlockKind kind)
    {
        var sizeClass = SizeClassOf(payloadBytes + HeaderSize);
        var freeList = SegmentLayout.FreeListsOffset + (sizeClass * 8L);
        var block = tx.Read(freeList);
        if (block != 0)
        {
            // The free block's next link is what matters if this is undone: the list head goes back to it.
            tx.Write(freeList, tx.Read(Aux(block)));
            tx.Write(Aux(block), 0);
        }
        else
        {
            var top = tx.Read(SegmentLayout.HeapTopOffset);
            var size = (long)SmallestBlock << sizeClass;
            if (top + size > tx.Read(SegmentLayout.SizeOffset))
            {
                throw new IpcLayerException($"The shared segment is full ({tx.Read(SegmentLayout.SizeOffset) >> 20} MiB): a block of {size} bytes does not fit. Raise IpcChannelLayerOptions.SegmentSize (every process of the namespace, after they all stopped), or receive what waits.");
            }

            tx.Write(SegmentLayout.HeapTopOffset, top + size);
            block = top;
            tx.Init(Aux(block), 0);
        }

        tx.Init(block, ((long)kind << 32) | (uint)sizeClass);
        return block;
    }

    /// <summary>Puts a block back on its class's free list.</summary>
    public static void Free(SegmentTransaction tx, long block)
    {
        var sizeClass = (int)(uint)tx.Read(block);
        var freeList = SegmentLayout.FreeListsOffset + (sizeClass * 8L);
        tx.Write(block, ((long)BlockKind.Free << 32) | (uint)sizeClass);
        tx.Write(Aux(block), tx.Read(freeList));
        tx.Write(freeList, block);
    }

    /// <summary>The payload bytes a block has room for.</summary>
    public static long Capacity(SegmentTransaction tx, long block) => ((long)SmallestBlock << (int)(uint)tx.Read(block)) - HeaderSize;

    /// <summary>
    /// Returns where a new entry goes at the end of a growable array of <paramref name="count"/> entries of
    /// <paramref name="entrySize"/> bytes, whose block the word at <paramref name="arrayField"/> holds (0: none yet): a
    /// full array is copied into one twice as large (at least 4 entries), which the field then holds.
    /// </summary>
    public static long AppendSlot(SegmentTransaction tx, long arrayField, long count, long entrySize, BlockKind kind)
    {
        var array = tx.Read(arrayField);
        if (array == 0 || (count + 1) * entrySize > Capacity(tx, array))
        {
            var grown = Allocate(tx, Math.Max(4, count * 2) * entrySize, kind);
            if (array != 0)
            {
                var bytes = checked((int)(count * entrySize));
                tx.Segment.Bytes(Payload(array), bytes).CopyTo(tx.Segment.Bytes(Payload(grown), bytes));
                Free(tx, array);
            }

            tx.Write(arrayField, grown);
            array = grown;
        }

        return Payload(array) + (count * entrySize);
    }

    private static int SizeClassOf(long blockBytes)
    {
        var rounded = Math.Max(SmallestBlock, (long)BitOperations.RoundUpToPowerOf2((ulong)blockBytes));
        var sizeClass = BitOperations.Log2((ulong)rounded) - BitOperations.Log2(SmallestBlock);
        if (sizeClass >= SegmentLayout.SizeClasses)
        {
            throw new IpcLayerException($"A block of {blockBytes} bytes is larger than the shared segment can hold.");
        }

        return sizeClass;
    }
}

/// <summary>What a heap block holds.</summary>
internal enum BlockKind
{
    Free = 0,
    Name = 1,
    Channel = 2,
    Group = 3,
    Members = 4,
    Node = 5,
    Message = 6,
    History = 7,
    HistoryEntries = 8,
    Presence = 9,
    PresenceEntries = 10,
    PresenceData = 11,
}
