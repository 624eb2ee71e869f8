using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Switchyard.Ipc.Native;
using Switchyard.Ipc.Processes;

namespace Switchyard.Ipc.Segment;

/// <summary>
/// The shared segment: a file in a user-only directory (0700; the file 0600) mapped into every process of the
/// namespace, and the lock that serialises changes to it, a <c>flock</c> on a file beside it, which the kernel releases
/// when its holder dies. Every change runs in a <see cref="SegmentTransaction"/> that records each word's previous value
/// first: a process killed in the middle of one leaves its holder id in the header, and the next holder of the lock puts
/// the words back before doing anything else, so the segment is always as some transaction left it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed unsafe class SharedSegment : IDisposable
{
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _lockFile;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly Lock _threadLock = new();
    private readonly long _processId = Environment.ProcessId;
    private bool _disposed;
    private bool _inTransaction;
    private long _transaction;

    private SharedSegment(string path, Microsoft.Win32.SafeHandles.SafeFileHandle lockFile, MemoryMappedFile map, MemoryMappedViewAccessor view, long size)
    {
        Path = path;
        _lockFile = lockFile;
        _map = map;
        _view = view;
        Size = size;
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>Gets the segment file's path.</summary>
    public string Path { get; }

    /// <summary>Gets the segment's size in bytes (the one it was made with, whatever a later process asked for).</summary>
    public long Size { get; }

    /// <summary>Gets how many times a transaction found its predecessor's process dead in the middle and undid its changes.</summary>
    public int Recoveries { get; private set; }

    /// <summary>
    /// Opens the segment <paramref name="name"/> in <paramref name="directory"/>, making it (and the directory, user-only)
    /// when it does not exist yet. Every process of a namespace must use the same directory and name.
    /// </summary>
    /// <exception cref="IpcLayerException">The segment exists with another layout, or cannot be made.</exception>
    public static SharedSegment Open(string directory, string name, long size, int nameTableCapacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(name);
        UserOnlyFiles.CreateDirectory(directory);
        var segmentPath = System.IO.Path.Combine(directory, name + ".segment");
        var lockFile = LibC.OpenLockFile(System.IO.Path.Combine(directory, name + ".lock"));
        try
        {
            // Made under the lock, so two processes starting together agree on one segment.
            LibC.Flock(lockFile, LibC.LockExclusive);
            try
            {
                var stream = UserOnlyFiles.Open(segmentPath);
                var fresh = stream.Length < SegmentLayout.HeaderSize || ReadMagic(stream) != SegmentLayout.Magic;
                if (fresh)
                {
                    stream.SetLength(0);
                    stream.SetLength(size);
                }

                var actual = stream.Length;
                var map = MemoryMappedFile.CreateFromFile(stream, null, actual, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
                var view = map.CreateViewAccessor(0, actual, MemoryMappedFileAccess.ReadWrite);
                var segment = new SharedSegment(segmentPath, lockFile, map, view, actual);
                if (fresh)
                {
                    segment.Format(nameTableCapacity);
                }
                else
                {
                    segment.CheckLayout();
                }

                return segment;
            }
            finally
            {
                LibC.Flock(lockFile, LibC.Unlock);
            }
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    private static long ReadMagic(FileStream stream)
    {
        Span<byte> magic = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(magic);
        stream.Position = 0;
        return MemoryMarshal.Read<long>(magic);
    }

    /// <summary>Gets a reference to the word at <paramref name="offset"/>.</summary>
    public ref long Word(long offset)
    {
        System.Diagnostics.Debug.Assert(offset >= 0 && offset + 8 <= Size && (offset & 7) == 0, "a word inside the segment");
        return ref *(long*)(_base + offset);
    }

    /// <summary>Gets the bytes at <paramref name="offset"/>.</summary>
    public Span<byte> Bytes(long offset, int length) => new(_base + offset, length);

    /// <summary>
    /// Takes the lock (this process's threads first, then the other processes) and starts a transaction. A transaction
    /// left half done by a process that died is undone first. Nothing may await inside a transaction.
    /// </summary>
    public SegmentTransaction Begin()
    {
        _threadLock.Enter();
        if (_disposed)
        {
            _threadLock.Exit();
            throw new ObjectDisposedException(nameof(SharedSegment));
        }

        if (_inTransaction)
        {
            // The lock is re-entrant for its thread; a transaction inside another is a bug.
            _threadLock.Exit();
            throw new InvalidOperationException("A shared-segment transaction was begun inside another.");
        }

        try
        {
            LibC.Flock(_lockFile, LibC.LockExclusive);
        }
        catch
        {
            _threadLock.Exit();
            throw;
        }

        if (Word(SegmentLayout.HolderOffset) != 0)
        {
            // Its holder died in the middle: the lock is ours only because the kernel released it with the process.
            Undo();
            Recoveries++;
        }

        Volatile.Write(ref Word(SegmentLayout.HolderOffset), _processId);
        _inTransaction = true;
        return new SegmentTransaction(this, ++_transaction);
    }

    /// <summary>
    /// Ends the transaction under way, if any (a transaction is ended once: by its commit, or by its disposal when it was
    /// not committed): its changes stay (<paramref name="keep"/>) or are undone, then the lock is released.
    /// </summary>
    internal void End(long transaction, bool keep)
    {
        // Only the thread holding the lock can see its own transaction here; a stale call (a disposal after the commit,
        // another transaction under way) names an older one and does nothing.
        if (!_threadLock.IsHeldByCurrentThread || !_inTransaction || transaction != _transaction)
        {
            return;
        }

        _inTransaction = false;
        try
        {
            if (!keep)
            {
                Undo();
            }

            Volatile.Write(ref Word(SegmentLayout.UndoCountOffset), 0);
            Volatile.Write(ref Word(SegmentLayout.HolderOffset), 0);
        }
        finally
        {
            LibC.Flock(_lockFile, LibC.Unlock);
            _threadLock.Exit();
        }
    }

    /// <summary>Records the previous value of <paramref name="offset"/> in the undo log, before it changes.</summary>
    internal void Record(long offset)
    {
        ref var count = ref Word(SegmentLayout.UndoCountOffset);
        var n = Volatile.Read(ref count);
        if (n >= SegmentLayout.UndoCapacity)
        {
            throw new IpcLayerException("An operation changed more of the shared segment than one transaction can hold; it was undone.");
        }

        var entry = SegmentLayout.UndoOffset + (n * 16);
        Word(entry) = offset;
        Word(entry + 8) = Word(offset);

        // The entry is complete before it counts, and counts before the word changes.
        Volatile.Write(ref count, n + 1);
        Interlocked.MemoryBarrier();
    }

    // Puts back every recorded word, newest first, and an interrupted flush is finished.
    private void Undo()
    {
        ref var count = ref Word(SegmentLayout.UndoCountOffset);
        for (var n = Volatile.Read(ref count) - 1; n >= 0; n--)
        {
            var entry = SegmentLayout.UndoOffset + (n * 16);
            Word(Word(entry)) = Word(entry + 8);
        }

        Volatile.Write(ref count, 0);
        if (Word(SegmentLayout.FlushingOffset) != 0)
        {
            ClearTables();
        }
    }

    /// <summary>Empties the name table and the heap (a flush); redone by the next holder when its process dies in it.</summary>
    internal void ClearTables()
    {
        Volatile.Write(ref Word(SegmentLayout.FlushingOffset), 1);
        Interlocked.MemoryBarrier();
        var capacity = Word(SegmentLayout.NameTableCapacityOffset);
        Bytes(SegmentLayout.NameTableOffset, checked((int)(capacity * SegmentLayout.NameEntrySize))).Clear();
        Bytes(SegmentLayout.FreeListsOffset, SegmentLayout.SizeClasses * 8).Clear();
        Word(SegmentLayout.NameCountOffset) = 0;
        Word(SegmentLayout.HeapTopOffset) = SegmentLayout.HeapStart(capacity);
        Interlocked.MemoryBarrier();
        Volatile.Write(ref Word(SegmentLayout.FlushingOffset), 0);
    }

    private void Format(int nameTableCapacity)
    {
        if (nameTableCapacity <= 0 || (nameTableCapacity & (nameTableCapacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(nameTableCapacity), nameTableCapacity, "The name table's capacity must be a power of two.");
        }

        if (SegmentLayout.HeapStart(nameTableCapacity) + (1 << 20) > Size)
        {
            throw new IpcLayerException($"A segment of {Size} bytes is too small for {nameTableCapacity} names and a heap of at least 1 MiB.");
        }

        // A fresh file reads as zeros: empty tables and free lists; only the header is written (the rest of the file
        // stays sparse until used).
        Word(SegmentLayout.VersionOffset) = SegmentLayout.Version;
        Word(SegmentLayout.SizeOffset) = Size;
        Word(SegmentLayout.NameTableCapacityOffset) = nameTableCapacity;
        Word(SegmentLayout.HeapTopOffset) = SegmentLayout.HeapStart(nameTableCapacity);
        Interlocked.MemoryBarrier();
        Volatile.Write(ref Word(SegmentLayout.MagicOffset), SegmentLayout.Magic);
    }

    private void CheckLayout()
    {
        if (Word(SegmentLayout.VersionOffset) != SegmentLayout.Version || Word(SegmentLayout.SizeOffset) != Size)
        {
            throw new IpcLayerException($"The shared segment '{Path}' has layout version {Word(SegmentLayout.VersionOffset)} and size {Word(SegmentLayout.SizeOffset)}; this process uses layout {SegmentLayout.Version}. Stop every process of this namespace (or use another name) to start afresh.");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Under the thread lock: a transaction under way in another thread ends before the mapping goes.
        lock (_threadLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _lockFile.Dispose();
    }
}
