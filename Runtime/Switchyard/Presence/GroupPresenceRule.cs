namespace Switchyard;

/// <summary>
/// Turns presence on for the groups whose names match a glob pattern, such as <c>chat.*</c>: their members carry a
/// <see cref="PresenceMember"/> (listed by <see cref="ChannelLayer.GroupPresenceAsync"/>), and the group's members are
/// told of joins and leaves with <see cref="PresenceEvent"/> messages, batched over
/// <see cref="ChannelLayerOptions.PresenceInterval"/>.
/// </summary>
/// <remarks>Rules are tried in order and the first match wins; <c>*</c> matches any run of characters, <c>?</c> one.</remarks>
public sealed class GroupPresenceRule
{
    /// <summary>Creates an empty rule (for configuration binding).</summary>
    public GroupPresenceRule()
    {
    }

    /// <summary>Creates a rule.</summary>
    /// <param name="pattern">The glob pattern matched against whole group names.</param>
    /// <param name="countsOnly">Whether events carry only the member count (large rooms), not who joined and left.</param>
    public GroupPresenceRule(string pattern, bool countsOnly = false)
    {
        Pattern = pattern;
        CountsOnly = countsOnly;
    }

    /// <summary>Gets or sets the glob pattern matched against whole group names.</summary>
    public string Pattern { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets whether the group's events carry only its member count: one small event per interval however many
    /// joined or left, for rooms too large to send every join to every member. Members are still listed by
    /// <see cref="ChannelLayer.GroupPresenceAsync"/>.
    /// </summary>
    public bool CountsOnly { get; set; }
}
