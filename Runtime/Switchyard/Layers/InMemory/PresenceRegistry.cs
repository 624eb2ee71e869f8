namespace Switchyard;

/// <summary>The in-memory layer's present members per group, listed in channel-name order.</summary>
internal sealed class PresenceRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, PresenceMember>> _groups = new(StringComparer.Ordinal);

    public void Add(string group, PresenceMember member)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(group, out var members))
            {
                _groups[group] = members = new Dictionary<string, PresenceMember>(StringComparer.Ordinal);
            }

            members[member.Channel] = member;
        }
    }

    public PresenceMember? Remove(string group, string channel)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(group, out var members) || !members.Remove(channel, out var member))
            {
                return null;
            }

            if (members.Count == 0)
            {
                _groups.Remove(group);
            }

            return member;
        }
    }

    /// <summary>The members after <paramref name="cursor"/> (a channel name) in name order, at most <paramref name="pageSize"/>.</summary>
    public PresencePage Page(string group, string? cursor, int pageSize)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(group, out var members))
            {
                return new PresencePage([], null);
            }

            var page = members.Values
                .Where(member => cursor is null || string.CompareOrdinal(member.Channel, cursor) > 0)
                .OrderBy(member => member.Channel, StringComparer.Ordinal)
                .Take(pageSize + 1)
                .ToList();
            if (page.Count <= pageSize)
            {
                return new PresencePage(page, null);
            }

            page.RemoveAt(pageSize);
            return new PresencePage(page, page[^1].Channel);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _groups.Clear();
        }
    }
}
