namespace Switchyard.Redis;

/// <summary>A group's members in one process (local part → when it joined, Unix ms) as of a membership version.</summary>
internal sealed record GroupMembership(string Version, Dictionary<string, long> Members)
{
    /// <summary>
    /// Gets or sets the members' channels, resolved at the first entry (under the inbox's lock). The sweep that
    /// forgets idle channels forgets every membership too, so a resolved channel is current, or (for an entry
    /// under way) marked removed and replaced where it is written.
    /// </summary>
    public GroupMember[]? Resolved { get; set; }
}

/// <summary>A member channel of a group in this process, and when it joined (Unix ms).</summary>
internal readonly record struct GroupMember(LocalChannel Channel, long JoinedAt);
