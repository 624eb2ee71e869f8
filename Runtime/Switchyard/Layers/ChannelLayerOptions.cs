using Switchyard.Internal;

namespace Switchyard;

/// <summary>
/// The semantics every channel layer enforces: capacity, expiry, group expiry and message size. Defaults are
/// Django Channels' (capacity 100, expiry 60 s, group expiry 86400 s) plus a 1 MiB message size limit.
/// </summary>
public class ChannelLayerOptions
{
    /// <summary>The default capacity of a channel.</summary>
    public const int DefaultCapacity = 100;

    /// <summary>The default maximum message size: 1 MiB.</summary>
    public const int DefaultMaxMessageSize = 1024 * 1024;

    /// <summary>
    /// Gets or sets how many unread messages a channel holds before sends to it fail with
    /// <see cref="ChannelFullException"/>. Default 100.
    /// </summary>
    public int Capacity { get; set; } = DefaultCapacity;

    /// <summary>Gets per-pattern capacities, tried in order; the first rule whose pattern matches wins.</summary>
    public IList<ChannelCapacityRule> ChannelCapacity { get; } = new List<ChannelCapacityRule>();

    /// <summary>
    /// Gets the groups that keep a history, tried in order; the first rule whose pattern matches a group applies. Empty
    /// by default: no group keeps one. See <see cref="GroupHistoryRule"/> and <see cref="ChannelLayer.GroupHistoryAsync"/>.
    /// </summary>
    public IList<GroupHistoryRule> GroupHistory { get; } = new List<GroupHistoryRule>();

    /// <summary>
    /// Gets the groups with presence, tried in order; the first rule whose pattern matches a group applies. Empty by
    /// default. See <see cref="GroupPresenceRule"/>, <see cref="ChannelLayer.JoinPresenceAsync"/> and <see cref="PresenceEvent"/>.
    /// </summary>
    public IList<GroupPresenceRule> Presence { get; } = new List<GroupPresenceRule>();

    /// <summary>
    /// Gets or sets how long a process gathers a presence group's joins and leaves into one <see cref="PresenceEvent"/>:
    /// at most one event per group per interval per process. Default 250 ms.
    /// </summary>
    public TimeSpan PresenceInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Gets or sets how long a member's presence outlives its process on a layer shared by processes (Redis): every
    /// process renews its members' presence each third of this; a process that died stops renewing, and another process
    /// with members in the group removes them and tells the group they left. Default 30 s.
    /// </summary>
    public TimeSpan PresenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an unread message lives. An expired message is dropped, counted and logged,
    /// and its channel leaves every group (its consumer is presumed gone). Default 60 s.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long a group membership lives after its last <see cref="ChannelLayer.GroupAddAsync"/>. Default 86400 s.</summary>
    public TimeSpan GroupExpiry { get; set; } = TimeSpan.FromSeconds(86400);

    /// <summary>Gets or sets the largest payload, in bytes, that a send accepts; larger ones fail with
    /// <see cref="MessageTooLargeException"/>. Default 1 MiB.</summary>
    public int MaxMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>
    /// Gets or sets how long a group send waits for a member in this process whose buffer is full — its channel at
    /// capacity, or the send queue of the WebSocket that forwards it — before it gives up on that member: a full
    /// channel is then skipped (counted in <see cref="GroupSendResult.SkippedFull"/>), a forwarding connection applies
    /// its slow-client policy. Members with room get the message at once; only the send waits, and never longer than
    /// this for all of its full members together. Default 5 seconds. <see cref="TimeSpan.Zero"/> skips full members
    /// at once, as Django Channels does. On the Redis layers the sender does not wait for other processes: the process
    /// that owns a full member holds that member's messages, in order, each for at most this long after it arrived.
    /// </summary>
    public TimeSpan FullMemberTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Adds a capacity rule for channels matching <paramref name="pattern"/>.</summary>
    /// <param name="pattern">A glob such as <c>http.response!*</c>.</param>
    /// <param name="capacity">The capacity for matching channels.</param>
    /// <returns>These options, for chaining.</returns>
    public ChannelLayerOptions WithCapacity(string pattern, int capacity)
    {
        ChannelCapacity.Add(new ChannelCapacityRule(pattern, capacity));
        return this;
    }

    /// <summary>Keeps a history for the groups matching <paramref name="pattern"/>.</summary>
    /// <param name="pattern">A glob such as <c>chat.*</c>.</param>
    /// <param name="maxCount">How many of the latest messages each group keeps.</param>
    /// <param name="maxAge">How long a message is kept; <see langword="null"/> for 5 minutes.</param>
    /// <returns>These options, for chaining.</returns>
    public ChannelLayerOptions WithGroupHistory(string pattern, int maxCount = GroupHistoryRule.DefaultMaxCount, TimeSpan? maxAge = null)
    {
        GroupHistory.Add(new GroupHistoryRule(pattern, maxCount, maxAge));
        return this;
    }

    /// <summary>Turns presence on for the groups matching <paramref name="pattern"/>.</summary>
    /// <param name="pattern">A glob such as <c>chat.*</c>.</param>
    /// <param name="countsOnly">Whether events carry only the member count (large rooms).</param>
    /// <returns>These options, for chaining.</returns>
    public ChannelLayerOptions WithPresence(string pattern, bool countsOnly = false)
    {
        Presence.Add(new GroupPresenceRule(pattern, countsOnly));
        return this;
    }

    /// <summary>Returns the presence rule of <paramref name="group"/>: the first whose pattern matches, or <see langword="null"/>.</summary>
    /// <param name="group">A group name.</param>
    /// <returns>The rule, or <see langword="null"/> when the group has no presence.</returns>
    public GroupPresenceRule? GetPresence(string group)
    {
        foreach (var rule in Presence)
        {
            if (Glob.IsMatch(rule.Pattern, group))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Returns the history rule of <paramref name="group"/>: the first whose pattern matches, or <see langword="null"/>.</summary>
    /// <param name="group">A group name.</param>
    /// <returns>The rule, or <see langword="null"/> when the group keeps no history.</returns>
    public GroupHistoryRule? GetGroupHistory(string group)
    {
        foreach (var rule in Presence)
        {
            if (string.IsNullOrEmpty(rule.Pattern))
            {
                throw new ArgumentException($"A {nameof(ChannelLayerOptions)}.{nameof(Presence)} rule has an empty pattern.");
            }
        }

        if (PresenceInterval < TimeSpan.FromMilliseconds(1) || PresenceInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"{nameof(ChannelLayerOptions)}.{nameof(PresenceInterval)} must be between 1 ms and 1 minute, not {PresenceInterval}.");
        }

        if (PresenceTimeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"{nameof(ChannelLayerOptions)}.{nameof(PresenceTimeout)} must be at least 1 second, not {PresenceTimeout}.");
        }

        foreach (var rule in GroupHistory)
        {
            if (Glob.IsMatch(rule.Pattern, group))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public virtual void Validate()
    {
        if (Capacity < 1)
        {
            throw new ArgumentException($"{nameof(ChannelLayerOptions)}.{nameof(Capacity)} must be at least 1, not {Capacity}.");
        }

        if (Expiry <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ChannelLayerOptions)}.{nameof(Expiry)} must be positive, not {Expiry}.");
        }

        if (GroupExpiry <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ChannelLayerOptions)}.{nameof(GroupExpiry)} must be positive, not {GroupExpiry}.");
        }

        if (FullMemberTimeout < TimeSpan.Zero || FullMemberTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"{nameof(ChannelLayerOptions)}.{nameof(FullMemberTimeout)} must be between zero and 10 minutes, not {FullMemberTimeout}.");
        }

        if (MaxMessageSize < 1)
        {
            throw new ArgumentException($"{nameof(ChannelLayerOptions)}.{nameof(MaxMessageSize)} must be at least 1 byte, not {MaxMessageSize}.");
        }

        foreach (var rule in ChannelCapacity)
        {
            if (string.IsNullOrEmpty(rule.Pattern))
            {
                throw new ArgumentException($"A {nameof(ChannelLayerOptions)}.{nameof(ChannelCapacity)} rule has an empty pattern.");
            }

            if (rule.Capacity < 1)
            {
                throw new ArgumentException(
                    $"The {nameof(ChannelLayerOptions)}.{nameof(ChannelCapacity)} rule for '{rule.Pattern}' must have a capacity of at least 1, not {rule.Capacity}.");
            }
        }

        foreach (var rule in GroupHistory)
        {
            if (string.IsNullOrEmpty(rule.Pattern))
            {
                throw new ArgumentException($"A {nameof(ChannelLayerOptions)}.{nameof(GroupHistory)} rule has an empty pattern.");
            }

            if (rule.MaxCount < 1 || rule.MaxCount > GroupHistoryRule.MaxMaxCount)
            {
                throw new ArgumentException(
                    $"The {nameof(ChannelLayerOptions)}.{nameof(GroupHistory)} rule for '{rule.Pattern}' must keep from 1 to {GroupHistoryRule.MaxMaxCount:N0} messages, not {rule.MaxCount}.");
            }

            if (rule.MaxAge <= TimeSpan.Zero)
            {
                throw new ArgumentException(
                    $"The {nameof(ChannelLayerOptions)}.{nameof(GroupHistory)} rule for '{rule.Pattern}' must have a positive {nameof(GroupHistoryRule.MaxAge)}, not {rule.MaxAge}.");
            }
        }
    }

    /// <summary>Returns the capacity of <paramref name="channel"/>: the first matching rule's, else <see cref="Capacity"/>.</summary>
    /// <param name="channel">A channel name.</param>
    /// <returns>The channel's capacity.</returns>
    public int GetCapacity(string channel)
    {
        foreach (var rule in ChannelCapacity)
        {
            if (Glob.IsMatch(rule.Pattern, channel))
            {
                return rule.Capacity;
            }
        }

        return Capacity;
    }
}
