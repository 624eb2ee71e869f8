namespace Switchyard.Ipc.Segment;

/// <summary>
/// Changes to the shared segment made under its lock, each word's previous value recorded first (<see cref="Write"/>),
/// so they are undone if this process dies before <see cref="Commit"/>, or if the transaction is disposed without it (an
/// exception on the way). Words of blocks this transaction allocated need no record (<see cref="Init"/>): undone, the
/// block is free again and what it held does not matter.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal readonly ref struct SegmentTransaction
{
    private readonly SharedSegment _segment;
    private readonly long _id;

    public SegmentTransaction(SharedSegment segment, long id)
    {
        _segment = segment;
        _id = id;
    }

    public SharedSegment Segment => _segment;

    /// <summary>Reads the word at <paramref name="offset"/>.</summary>
    public long Read(long offset) => _segment.Word(offset);

    /// <summary>Changes the word at <paramref name="offset"/>, recording its previous value first.</summary>
    public void Write(long offset, long value)
    {
        ref var word = ref _segment.Word(offset);
        if (word != value)
        {
            _segment.Record(offset);
            word = value;
        }
    }

    /// <summary>Sets a word of a block this transaction allocated (nothing to undo).</summary>
    public void Init(long offset, long value) => _segment.Word(offset) = value;

    /// <summary>Keeps the changes and releases the lock.</summary>
    public void Commit() => _segment.End(_id, keep: true);

    /// <summary>Undoes the changes of a transaction that was not committed, and releases the lock.</summary>
    public void Dispose() => _segment.End(_id, keep: false);
}
