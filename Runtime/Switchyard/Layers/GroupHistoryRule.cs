namespace Switchyard;

/// <summary>
/// Keeps a bounded history of the messages sent to the groups whose names match a glob pattern, such as
/// <c>chat.*</c>: each group send gets a <see cref="GroupPosition"/>, and a consumer that comes back with its last
/// position receives what it missed (<see cref="ChannelLayer.GroupHistoryAsync"/>).
/// </summary>
/// <remarks>
/// <c>*</c> matches any run of characters (including none) and <c>?</c> exactly one; the whole name must match. Rules
/// are tried in order and the first match wins.
/// </remarks>
public sealed class GroupHistoryRule
{
    /// <summary>The default number of messages a history keeps.</summary>
    public const int DefaultMaxCount = 1000;

    /// <summary>The most messages a history may keep.</summary>
    public const int MaxMaxCount = 1_000_000;

    /// <summary>Creates an empty rule (for configuration binding).</summary>
    public GroupHistoryRule()
    {
    }

    /// <summary>Creates a rule.</summary>
    /// <param name="pattern">The glob pattern matched against whole group names.</param>
    /// <param name="maxCount">How many of the latest messages each matching group keeps.</param>
    /// <param name="maxAge">How long a message stays in the history; <see langword="null"/> for the default, 5 minutes.</param>
    public GroupHistoryRule(string pattern, int maxCount = DefaultMaxCount, TimeSpan? maxAge = null)
    {
        Pattern = pattern;
        MaxCount = maxCount;
        MaxAge = maxAge ?? MaxAge;
    }

    /// <summary>Gets or sets the glob pattern matched against whole group names.</summary>
    public string Pattern { get; set; } = string.Empty;

    /// <summary>Gets or sets how many of the latest messages each matching group keeps. Default 1,000.</summary>
    public int MaxCount { get; set; } = DefaultMaxCount;

    /// <summary>
    /// Gets or sets how long a message stays in the history. Default 5 minutes. The history's epoch and latest offset
    /// outlive its messages (for <see cref="ChannelLayerOptions.GroupExpiry"/> after the last send), so a position
    /// whose group sent nothing since still resumes, with nothing to replay.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);
}
