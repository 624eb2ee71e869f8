using System.Buffers;

namespace Switchyard;

/// <summary>
/// Group memberships of the in-memory layer with their join times, indexed both ways so a channel can leave
/// all its groups at once (when a message on it expires) without scanning every group.
/// </summary>
internal sealed class GroupRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, long>> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _groupsOfChannel = new(StringComparer.Ordinal);

    public void Add(string group, string channel, long now)
    {
        lock (_lock)
        {
            if (!_members.TryGetValue(group, out var members))
            {
                _members[group] = members = new Dictionary<string, long>(StringComparer.Ordinal);
            }

            members[channel] = now;
            if (!_groupsOfChannel.TryGetValue(channel, out var groups))
            {
                _groupsOfChannel[channel] = groups = new HashSet<string>(StringComparer.Ordinal);
            }

            groups.Add(group);
        }
    }

    public void Discard(string group, string channel)
    {
        lock (_lock)
        {
            RemoveMembership(group, channel);
        }
    }

    /// <summary>
    /// Copies the live members of <paramref name="group"/> into a pooled array, dropping memberships that joined
    /// at or before <paramref name="expiredAtOrBefore"/>. Return the array with <see cref="ArrayPool{T}.Return"/>.
    /// </summary>
    /// <returns>The number of members copied, and how many memberships expired.</returns>
    public (int Count, int Expired) RentMembers(string group, long expiredAtOrBefore, out string[] buffer)
    {
        lock (_lock)
        {
            if (!_members.TryGetValue(group, out var members))
            {
                buffer = [];
                return (0, 0);
            }

            var expired = RemoveExpired(group, members, expiredAtOrBefore);
            if (members.Count == 0)
            {
                buffer = [];
                return (0, expired);
            }

            buffer = ArrayPool<string>.Shared.Rent(members.Count);
            members.Keys.CopyTo(buffer, 0);
            return (members.Count, expired);
        }
    }

    /// <summary>Counts the live members of <paramref name="group"/>, dropping memberships that joined at or before <paramref name="expiredAtOrBefore"/>.</summary>
    /// <returns>The number of members, and how many memberships expired.</returns>
    public (int Count, int Expired) Count(string group, long expiredAtOrBefore)
    {
        lock (_lock)
        {
            if (!_members.TryGetValue(group, out var members))
            {
                return (0, 0);
            }

            var expired = RemoveExpired(group, members, expiredAtOrBefore);
            return (members.Count, expired);
        }
    }

    /// <summary>
    /// The live members of <paramref name="group"/> whose names sort (ordinal) after <paramref name="after"/>, the first
    /// <paramref name="pageSize"/> of them in name order, and whether more follow.
    /// </summary>
    public (List<string> Page, bool More, int Expired) Page(string group, string? after, int pageSize, long expiredAtOrBefore)
    {
        List<string> candidates = [];
        int expired;
        lock (_lock)
        {
            if (!_members.TryGetValue(group, out var members))
            {
                return ([], false, 0);
            }

            expired = RemoveExpired(group, members, expiredAtOrBefore);
            foreach (var channel in members.Keys)
            {
                if (after is null || string.CompareOrdinal(channel, after) > 0)
                {
                    candidates.Add(channel);
                }
            }
        }

        candidates.Sort(StringComparer.Ordinal);
        var more = candidates.Count > pageSize;
        if (more)
        {
            candidates.RemoveRange(pageSize, candidates.Count - pageSize);
        }

        return (candidates, more, expired);
    }

    /// <summary>Drops every expired membership of every group.</summary>
    /// <returns>Per group, how many memberships expired.</returns>
    public List<(string Group, int Expired)> Sweep(long expiredAtOrBefore)
    {
        List<(string, int)> report = [];
        lock (_lock)
        {
            foreach (var (group, members) in _members.ToArray())
            {
                var expired = RemoveExpired(group, members, expiredAtOrBefore);
                if (expired > 0)
                {
                    report.Add((group, expired));
                }
            }
        }

        return report;
    }

    public void Clear()
    {
        lock (_lock)
        {
            _members.Clear();
            _groupsOfChannel.Clear();
        }
    }

    private int RemoveExpired(string group, Dictionary<string, long> members, long expiredAtOrBefore)
    {
        List<string>? stale = null;
        foreach (var (channel, joined) in members)
        {
            if (joined <= expiredAtOrBefore)
            {
                (stale ??= []).Add(channel);
            }
        }

        if (stale is null)
        {
            return 0;
        }

        foreach (var channel in stale)
        {
            RemoveMembership(group, channel);
        }

        return stale.Count;
    }

    private void RemoveMembership(string group, string channel)
    {
        if (_members.TryGetValue(group, out var members) && members.Remove(channel) && members.Count == 0)
        {
            _members.Remove(group);
        }

        if (_groupsOfChannel.TryGetValue(channel, out var groups) && groups.Remove(group) && groups.Count == 0)
        {
            _groupsOfChannel.Remove(channel);
        }
    }
}
