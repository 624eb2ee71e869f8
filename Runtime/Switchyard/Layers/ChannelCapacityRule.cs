namespace Switchyard;

/// <summary>A capacity for the channels whose names match a glob pattern, such as <c>http.response!*</c>.</summary>
/// <remarks>
/// <c>*</c> matches any run of characters (including none) and <c>?</c> exactly one; everything else matches
/// itself. The whole name must match. Rules are tried in order and the first match wins.
/// </remarks>
public sealed class ChannelCapacityRule
{
    /// <summary>Creates an empty rule (for configuration binding).</summary>
    public ChannelCapacityRule()
    {
    }

    /// <summary>Creates a rule.</summary>
    /// <param name="pattern">The glob pattern.</param>
    /// <param name="capacity">The capacity of matching channels.</param>
    public ChannelCapacityRule(string pattern, int capacity)
    {
        Pattern = pattern;
        Capacity = capacity;
    }

    /// <summary>Gets or sets the glob pattern matched against whole channel names.</summary>
    public string Pattern { get; set; } = string.Empty;

    /// <summary>Gets or sets the capacity of matching channels.</summary>
    public int Capacity { get; set; }
}
