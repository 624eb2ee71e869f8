namespace Switchyard;

/// <summary>
/// The switch from replay to live for a consumer resuming groups: while a group's missed messages are handled, live
/// messages of that group that the forwarding path would send straight to the client are held back, in order; after
/// it, live messages at or before the last replayed position are duplicates and are dropped, on either path.
/// </summary>
internal sealed class GroupResumeTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Resume> _groups = new(StringComparer.Ordinal);

    /// <summary>What to do with a live message.</summary>
    public enum Verdict
    {
        /// <summary>Deliver it as usual.</summary>
        Pass,

        /// <summary>Held back until the group's replay ends; the tracker delivers it then.</summary>
        Held,

        /// <summary>Already handled in the replay: drop it.</summary>
        Duplicate,
    }

    /// <summary>Starts holding back <paramref name="group"/>'s live forwarded messages; call before joining it.</summary>
    public void BeginHolding(string group)
    {
        lock (_lock)
        {
            _groups[group] = new Resume { Holding = true };
        }
    }

    /// <summary>For the forwarding path: holds the message back, drops it as a duplicate, or lets it pass.</summary>
    public Verdict Forwarding(ChannelMessage message)
    {
        if (!message.TryGetGroupPosition(out var group, out var position))
        {
            return Verdict.Pass;
        }

        lock (_lock)
        {
            if (!_groups.TryGetValue(group, out var resume))
            {
                return Verdict.Pass;
            }

            if (resume.Holding)
            {
                (resume.Held ??= []).Add(message);
                return Verdict.Held;
            }

            return resume.IsDuplicate(position) ? Verdict.Duplicate : Verdict.Pass;
        }
    }

    /// <summary>For the handler path: whether the message was already handled in a replay.</summary>
    public bool IsDuplicate(ChannelMessage message)
    {
        if (!message.TryGetGroupPosition(out var group, out var position))
        {
            return false;
        }

        lock (_lock)
        {
            return _groups.TryGetValue(group, out var resume) && !resume.Holding && resume.IsDuplicate(position);
        }
    }

    /// <summary>
    /// Ends the replay of <paramref name="group"/> at <paramref name="through"/> (nothing is a duplicate when
    /// <see langword="null"/>): returns the live messages held meanwhile that are not duplicates, to be delivered
    /// before anything else; call again until it returns none — only then does holding stop.
    /// </summary>
    public List<ChannelMessage>? EndHolding(string group, GroupPosition? through)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(group, out var resume))
            {
                return null;
            }

            resume.Through = through;
            if (resume.Held is not { Count: > 0 } held)
            {
                resume.Holding = false;
                if (through is null)
                {
                    _groups.Remove(group);
                }

                return null;
            }

            resume.Held = null;
            held.RemoveAll(message => message.TryGetGroupPosition(out _, out var position) && resume.IsDuplicate(position));
            return held;
        }
    }

    /// <summary>Forgets <paramref name="group"/> (the consumer left it).</summary>
    public void Forget(string group)
    {
        lock (_lock)
        {
            _groups.Remove(group);
        }
    }

    private sealed class Resume
    {
        public bool Holding { get; set; }

        public List<ChannelMessage>? Held { get; set; }

        public GroupPosition? Through { get; set; }

        public bool IsDuplicate(GroupPosition position) =>
            Through is { } through && position.Offset <= through.Offset && string.Equals(position.Epoch, through.Epoch, StringComparison.Ordinal);
    }
}
