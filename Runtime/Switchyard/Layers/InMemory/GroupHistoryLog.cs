namespace Switchyard;

/// <summary>One group's history. Lock it around an <see cref="Append"/> and the delivery that follows, so members get
/// the group's messages in the order of their offsets.</summary>
internal sealed class GroupHistoryLog(string group, string epoch)
{
    private readonly Queue<(long Offset, long SentAt, ChannelMessage Message)> _entries = new();
    private long _offset;

    public Lock Gate { get; } = new();

    public long LastUsed { get; set; }

    /// <summary>Gives <paramref name="message"/> the next offset and keeps it; returns it with its position headers.</summary>
    public ChannelMessage Append(ChannelMessage message, GroupHistoryRule rule, long now, long cutoff, Func<ChannelMessage, GroupPosition, ChannelMessage> stamp)
    {
        var positioned = stamp(message, new GroupPosition(epoch, ++_offset));
        _entries.Enqueue((_offset, now, positioned));
        Trim(cutoff, rule.MaxCount);
        return positioned;
    }

    /// <summary>Reads the messages after <paramref name="since"/> (see <see cref="ChannelLayer.GroupHistoryAsync"/>).</summary>
    public GroupHistory Read(GroupPosition? since, long cutoff)
    {
        lock (Gate)
        {
            Trim(cutoff, int.MaxValue);
            var latest = new GroupPosition(epoch, _offset);
            if (since is not { } from)
            {
                return new GroupHistory([], latest, GroupHistoryLoss.None);
            }

            // A position this history never gave (another epoch, or beyond the latest offset) cannot be resumed.
            if (!string.Equals(from.Epoch, epoch, StringComparison.Ordinal) || from.Offset > _offset || from.Offset < 0)
            {
                return new GroupHistory([], latest, GroupHistoryLoss.EpochChanged);
            }

            var oldest = _entries.Count > 0 ? _entries.Peek().Offset : _offset + 1;
            if (from.Offset + 1 < oldest)
            {
                return new GroupHistory([], latest, GroupHistoryLoss.Trimmed);
            }

            var messages = new List<ChannelMessage>((int)(_offset - from.Offset));
            foreach (var entry in _entries)
            {
                if (entry.Offset > from.Offset)
                {
                    messages.Add(entry.Message);
                }
            }

            return new GroupHistory(messages, latest, GroupHistoryLoss.None);
        }
    }

    /// <summary>Drops messages sent at or before <paramref name="cutoff"/> and all but the latest <paramref name="maxCount"/>.</summary>
    public void Trim(long cutoff, int maxCount)
    {
        lock (Gate)
        {
            while (_entries.Count > 0 && (_entries.Count > maxCount || _entries.Peek().SentAt <= cutoff))
            {
                _entries.Dequeue();
            }
        }
    }

    public override string ToString() => $"{group} ({epoch}:{_offset})";
}
