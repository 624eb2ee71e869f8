using System.Security.Cryptography;

namespace Switchyard.Ipc.Segment;

/// <summary>
/// Group histories in the shared segment (<see cref="ChannelLayerOptions.GroupHistory"/>): per group a history block
/// named in the name table — its epoch (random, made with the block), its latest offset, when it was last used — and a
/// ring of its latest messages (offset, when sent, the message block), bounded by the rule's count when the history was
/// made, and by age when it is read or written. A history unused for the group expiry is removed by the sweep.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class HistoryStore(SharedSegment segment)
{
    // History payload.
    private const long HistoryName = 0;
    private const long HistoryEpoch = 8;
    private const long HistoryOffset = 16;
    private const long HistoryUsedAt = 24;
    private const long HistoryEntries = 32;
    private const long HistoryCapacity = 40;
    private const long HistoryHead = 48;
    private const long HistoryCount = 56;
    private const long HistorySize = 64;

    // Ring entry: offset, when sent, message block (length then bytes, as a channel's).
    private const long EntryOffset = 0;
    private const long EntrySentAt = 8;
    private const long EntryMessage = 16;
    private const long EntrySize = 24;

    /// <summary>Gives a group send the next offset of its group's history and keeps the bytes <paramref name="encode"/> makes of it (epoch, offset).</summary>
    /// <returns>The bytes kept, to deliver.</returns>
    public byte[] Append(string group, int maxCount, long now, long cutoff, Func<long, long, byte[]> encode)
    {
        using var tx = segment.Begin();
        var block = FindOrAdd(tx, group, maxCount);
        var offset = tx.Read(Field(block, HistoryOffset)) + 1;
        tx.Write(Field(block, HistoryOffset), offset);
        tx.Write(Field(block, HistoryUsedAt), now);
        var bytes = encode(tx.Read(Field(block, HistoryEpoch)), offset);

        var capacity = tx.Read(Field(block, HistoryCapacity));
        Trim(tx, block, cutoff, capacity - 1);
        var message = Heap.Allocate(tx, ChannelObjects.MessageBytes + bytes.Length, BlockKind.Message);
        tx.Init(ChannelObjects.Field(message, ChannelObjects.MessageLength), bytes.Length);
        bytes.CopyTo(segment.Bytes(ChannelObjects.Field(message, ChannelObjects.MessageBytes), bytes.Length));
        tx.Init(Heap.Aux(message), 1);

        var count = tx.Read(Field(block, HistoryCount));
        var entry = Entry(tx, block, (tx.Read(Field(block, HistoryHead)) + count) % capacity);
        tx.Write(entry + EntryOffset, offset);
        tx.Write(entry + EntrySentAt, now);
        tx.Write(entry + EntryMessage, message);
        tx.Write(Field(block, HistoryCount), count + 1);
        tx.Commit();
        return bytes;
    }

    /// <summary>
    /// Reads a group's history (made now when it has none) after <paramref name="since"/>: the epoch, the latest offset,
    /// the loss, and the kept messages' bytes after the position, oldest first.
    /// </summary>
    public (long Epoch, long Latest, GroupHistoryLoss Loss, List<byte[]> Messages) Read(string group, (long Epoch, long Offset)? since, int maxCount, long now, long cutoff)
    {
        using var tx = segment.Begin();
        var block = FindOrAdd(tx, group, maxCount);
        tx.Write(Field(block, HistoryUsedAt), now);
        Trim(tx, block, cutoff, tx.Read(Field(block, HistoryCapacity)));
        var epoch = tx.Read(Field(block, HistoryEpoch));
        var latest = tx.Read(Field(block, HistoryOffset));
        var messages = new List<byte[]>();
        var loss = GroupHistoryLoss.None;
        if (since is { } from)
        {
            var count = tx.Read(Field(block, HistoryCount));
            var oldest = count > 0 ? tx.Read(Entry(tx, block, tx.Read(Field(block, HistoryHead))) + EntryOffset) : latest + 1;
            if (from.Epoch != epoch || from.Offset > latest || from.Offset < 0)
            {
                loss = GroupHistoryLoss.EpochChanged;
            }
            else if (from.Offset + 1 < oldest && from.Offset < latest)
            {
                loss = GroupHistoryLoss.Trimmed;
            }
            else
            {
                var capacity = tx.Read(Field(block, HistoryCapacity));
                for (var i = 0L; i < count; i++)
                {
                    var entry = Entry(tx, block, (tx.Read(Field(block, HistoryHead)) + i) % capacity);
                    if (tx.Read(entry + EntryOffset) > from.Offset)
                    {
                        var message = tx.Read(entry + EntryMessage);
                        messages.Add(segment.Bytes(ChannelObjects.Field(message, ChannelObjects.MessageBytes), checked((int)tx.Read(ChannelObjects.Field(message, ChannelObjects.MessageLength)))).ToArray());
                    }
                }
            }
        }

        tx.Commit();
        return (epoch, latest, loss, messages);
    }

    /// <summary>Removes the histories unused since <paramref name="idleSince"/>, with their messages.</summary>
    public void Sweep(long idleSince)
    {
        using var tx = segment.Begin();
        foreach (var block in NameTable.All(tx, BlockKind.History))
        {
            if (tx.Read(Field(block, HistoryUsedAt)) <= idleSince)
            {
                var name = NameTable.ReadName(tx, tx.Read(Field(block, HistoryName)));
                Trim(tx, block, long.MaxValue, 0);
                NameTable.Remove(tx, BlockKind.History, name);
                Heap.Free(tx, tx.Read(Field(block, HistoryName)));
                Heap.Free(tx, tx.Read(Field(block, HistoryEntries)));
                Heap.Free(tx, block);
            }
        }

        tx.Commit();
    }

    private long FindOrAdd(SegmentTransaction tx, string group, int maxCount)
    {
        var block = NameTable.Find(tx, BlockKind.History, group);
        if (block != 0)
        {
            return block;
        }

        block = Heap.Allocate(tx, HistorySize, BlockKind.History);
        tx.Init(Field(block, HistoryName), NameTable.NewName(tx, group));
        tx.Init(Field(block, HistoryEpoch), BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) | 1);
        tx.Init(Field(block, HistoryOffset), 0);
        tx.Init(Field(block, HistoryUsedAt), 0);
        tx.Init(Field(block, HistoryEntries), Heap.Allocate(tx, maxCount * EntrySize, BlockKind.HistoryEntries));
        tx.Init(Field(block, HistoryCapacity), maxCount);
        tx.Init(Field(block, HistoryHead), 0);
        tx.Init(Field(block, HistoryCount), 0);
        NameTable.Add(tx, BlockKind.History, group, block);
        return block;
    }

    // Drops the oldest messages sent at or before the cutoff, and more until at most keep remain.
    private static void Trim(SegmentTransaction tx, long block, long cutoff, long keep)
    {
        var capacity = tx.Read(Field(block, HistoryCapacity));
        while (tx.Read(Field(block, HistoryCount)) is var count and > 0)
        {
            var head = tx.Read(Field(block, HistoryHead));
            var entry = Entry(tx, block, head);
            if (count <= keep && tx.Read(entry + EntrySentAt) > cutoff)
            {
                return;
            }

            var message = tx.Read(entry + EntryMessage);
            Heap.Free(tx, message);
            tx.Write(Field(block, HistoryHead), (head + 1) % capacity);
            tx.Write(Field(block, HistoryCount), count - 1);
        }
    }

    private static long Field(long block, long field) => Heap.Payload(block) + field;

    private static long Entry(SegmentTransaction tx, long block, long index) => Heap.Payload(tx.Read(Field(block, HistoryEntries))) + (index * EntrySize);
}
