namespace Switchyard;

/// <summary>An <see cref="IGroupJoinFilter"/> refused a consumer's group join.</summary>
public sealed class GroupJoinRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="group">The group that was refused.</param>
    /// <param name="consumer">The consumer class that asked.</param>
    public GroupJoinRefusedException(string group, string consumer)
        : base($"{consumer} may not join group '{group}': the registered {nameof(IGroupJoinFilter)} refused it.")
    {
        Group = group;
    }

    /// <summary>Creates the exception.</summary>
    public GroupJoinRefusedException()
        : this("(unknown)", "(unknown)")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public GroupJoinRefusedException(string message)
        : base(message)
    {
        Group = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public GroupJoinRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Group = string.Empty;
    }

    /// <summary>Gets the refused group.</summary>
    public string Group { get; } = string.Empty;
}
