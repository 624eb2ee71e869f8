using Switchyard.Ipc.Native;
using Switchyard.Ipc.Segment;
using static Switchyard.Ipc.Segment.ChannelObjects;

namespace Switchyard.Ipc.Tests.Support;

/// <summary>
/// A test's look into a namespace's shared segment, as the layer keeps it: the process table, the channels' names, and
/// whether the segment's lock is free. Each read is a transaction of its own.
/// </summary>
internal sealed class SegmentView : IDisposable
{
    private readonly SharedSegment _segment;
    private readonly string _lockPath;

    private SegmentView(SharedSegment segment, string lockPath)
    {
        _segment = segment;
        _lockPath = lockPath;
    }

    /// <summary>Maps the segment of <paramref name="ns"/> (made with the namespace's options if no process made it yet).</summary>
    public static SegmentView Open(IpcNamespace ns)
    {
        var options = ns.Options();
        return new SegmentView(SharedSegment.Open(ns.Directory, ns.Name, options.SegmentSize, options.MaxNames), Path.Combine(ns.Directory, ns.Name + ".lock"));
    }

    /// <summary>The slot of the process with id <paramref name="pid"/>; -1 when it has none.</summary>
    public int SlotOf(int pid) => Read(tx =>
    {
        for (var slot = 0; slot < SegmentLayout.ProcessCapacity; slot++)
        {
            if (tx.Read(ProcessEntry(slot) + ProcessIncarnation) != 0 && tx.Read(ProcessEntry(slot) + ProcessPid) == pid)
            {
                return slot;
            }
        }

        return -1;
    });

    /// <summary>The incarnation registered in <paramref name="slot"/>; 0 when the slot is free.</summary>
    public long Incarnation(int slot) => Read(tx => tx.Read(ProcessEntry(slot) + ProcessIncarnation));

    /// <summary>Whether a ring to <paramref name="slot"/>'s process was lost and its sweep has not taken it yet.</summary>
    public bool MissedRing(int slot) => Read(tx => tx.Read(ProcessEntry(slot) + ProcessMissedRing) != 0);

    /// <summary>The names of every channel in the segment.</summary>
    public List<string> ChannelNames() => Read(tx =>
    {
        var names = new List<string>();
        foreach (var block in NameTable.All(tx, BlockKind.Channel))
        {
            names.Add(NameTable.ReadName(tx, tx.Read(Heap.Payload(block))));
        }

        return names;
    });

    /// <summary>Whether nobody holds the segment's lock right now (probed without waiting, and released at once).</summary>
    public bool LockIsFree()
    {
        using var file = LibC.OpenLockFile(_lockPath);
        if (!LibC.Flock(file, LibC.LockExclusive | LibC.LockNonBlocking))
        {
            return false;
        }

        LibC.Flock(file, LibC.Unlock);
        return true;
    }

    public void Dispose() => _segment.Dispose();

    private T Read<T>(Func<SegmentTransaction, T> read)
    {
        using var tx = _segment.Begin();
        var value = read(tx);
        tx.Commit();
        return value;
    }
}
