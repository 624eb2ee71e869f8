using StackExchange.Redis;

namespace Switchyard.Redis;

/// <summary>
/// Every key the Redis channel layer writes, under its prefix. Each key carries a hash tag (the part in braces) so that
/// what one script touches lives in one slot of a Redis Cluster: a plain channel's list alone; a process's inbox with
/// its pending counts (<c>{a!}</c>); a group's members, processes, per-process member sets and versions
/// (<c>{group}</c>). On a single server the tags change nothing. Names hold no braces (channel and group names are
/// letters, digits, <c>-_.</c> and one <c>!</c>), so the tag is always the whole name.
/// </summary>
/// <remarks>
/// The layout: <c>p:ch:{channel}</c> list; <c>p:in:{a!}</c> list and <c>p:ip:{a!}</c> hash (local part → pending);
/// <c>p:g:{group}</c> sorted set of plain members (joined ms); <c>p:gp:{group}</c> sorted set of processes with local
/// members; <c>p:gm:{group}:a!</c> sorted set of a process's local members; <c>p:gv:{group}</c> hash of membership
/// versions per process (and the group's last version under <c>#</c>).
/// </remarks>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>Gets the pattern of every key of this layer (a flush deletes them).</summary>
    public RedisValue Pattern { get; } = prefix + ":*";

    /// <summary>Gets the start of every process inbox key; a script appends <c>{a!}</c>.</summary>
    public string InboxPrefix { get; } = prefix + ":in:";

    /// <summary>Gets the start of every pending-count key; a script appends <c>{a!}</c>.</summary>
    public string InboxCountsPrefix { get; } = prefix + ":ip:";

    public RedisKey Channel(string channel) => $"{prefix}:ch:{{{channel}}}";

    public RedisKey Inbox(string nonLocalPart) => $"{InboxPrefix}{{{nonLocalPart}}}";

    public RedisKey InboxCounts(string nonLocalPart) => $"{InboxCountsPrefix}{{{nonLocalPart}}}";

    public RedisKey Group(string group) => $"{prefix}:g:{{{group}}}";

    public RedisKey GroupProcesses(string group) => $"{prefix}:gp:{{{group}}}";

    public RedisKey GroupVersions(string group) => $"{prefix}:gv:{{{group}}}";

    /// <summary>A group's history (a stream, entry ids <c>offset-0</c>), in the group's slot.</summary>
    public RedisKey GroupHistory(string group) => $"{prefix}:gh:{{{group}}}";

    /// <summary>A presence group's members' data (a hash: channel → user id, info, joined at), in the group's slot.</summary>
    public RedisKey PresenceData(string group) => $"{prefix}:pd:{{{group}}}";

    /// <summary>A presence group's member channels in name order (a sorted set, all scores 0), in the group's slot.</summary>
    public RedisKey PresenceNames(string group) => $"{prefix}:pn:{{{group}}}";

    /// <summary>A presence group's member channels by the time their presence runs out (a sorted set), in the group's slot.</summary>
    public RedisKey PresenceDeadlines(string group) => $"{prefix}:pt:{{{group}}}";

    /// <summary>A group history's epoch and latest offset (a hash: <c>e</c>, <c>o</c>), in the group's slot.</summary>
    public RedisKey GroupHistoryState(string group) => $"{prefix}:ghs:{{{group}}}";

    public RedisKey GroupMembers(string group, string nonLocalPart) => $"{GroupMembersPrefix(group)}{nonLocalPart}";

    /// <summary>The start of a group's per-process member sets; a script appends the process's <c>a!</c>.</summary>
    public string GroupMembersPrefix(string group) => $"{prefix}:gm:{{{group}}}:";
}
