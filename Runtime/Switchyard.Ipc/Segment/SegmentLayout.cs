namespace Switchyard.Ipc.Segment;

/// <summary>
/// Where things are in the shared segment. Every field is a 64-bit word at a fixed offset; the regions follow one
/// another: header, undo log, process table, name table, heap. Offsets are bytes from the start of the segment, so
/// they mean the same in every process whatever address the segment is mapped at.
/// </summary>
internal static class SegmentLayout
{
    /// <summary>"SWYDIPC1", written last when a segment is made: a segment without it is made again.</summary>
    public const long Magic = 0x3143504944595753;

    /// <summary>The layout's version: processes of another layout refuse the segment with a clear error.</summary>
    public const long Version = 1;

    // Header words.
    public const long MagicOffset = 0;
    public const long VersionOffset = 8;
    public const long SizeOffset = 16;

    /// <summary>The process id of the transaction under way, 0 between transactions: found non-zero by the next holder of the lock, its holder died in it.</summary>
    public const long HolderOffset = 24;

    /// <summary>Entries in the undo log of the transaction under way.</summary>
    public const long UndoCountOffset = 32;

    /// <summary>The first heap byte never handed out.</summary>
    public const long HeapTopOffset = 40;

    /// <summary>Set while a flush clears the tables (a flush is redone by the next holder if its process died in it).</summary>
    public const long FlushingOffset = 48;

    /// <summary>Names in the name table.</summary>
    public const long NameCountOffset = 64;

    /// <summary>Entries of the name table (a power of two), fixed when the segment is made.</summary>
    public const long NameTableCapacityOffset = 80;

    /// <summary>Free-list heads, one per block size class.</summary>
    public const long FreeListsOffset = 256;

    /// <summary>Block size classes: 32 bytes, doubled per class.</summary>
    public const int SizeClasses = 32;

    public const long HeaderSize = 4096;

    public const long UndoOffset = HeaderSize;

    /// <summary>Undo entries per transaction (offset, previous value): large operations are split to fit.</summary>
    public const long UndoCapacity = 65536;

    public const long UndoSize = UndoCapacity * 16;

    public const long ProcessTableOffset = UndoOffset + UndoSize;

    /// <summary>Processes that can share one segment at once.</summary>
    public const int ProcessCapacity = 64;

    public const long ProcessEntrySize = 64;

    public const long NameTableOffset = ProcessTableOffset + (ProcessCapacity * ProcessEntrySize);

    public const long NameEntrySize = 32;

    /// <summary>The heap starts past the name table, at a 64-byte boundary.</summary>
    public static long HeapStart(long nameTableCapacity) => (NameTableOffset + (nameTableCapacity * NameEntrySize) + 63) & ~63L;
}
