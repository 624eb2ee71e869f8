namespace Switchyard;

/// <summary>What <see cref="ChannelLayer.GroupHistoryAsync"/> found: the messages after a position, or why there are none to give.</summary>
/// <param name="Messages">
/// The messages after the position asked for, oldest first, each with its <see cref="MessageHeaders.Group"/> and
/// <see cref="MessageHeaders.Position"/> headers; empty when not <see cref="Recovered"/>.
/// </param>
/// <param name="Position">The group's latest position (its last message's, or offset 0 when none was sent in this epoch).</param>
/// <param name="Loss">Why the messages after the position cannot be given; <see cref="GroupHistoryLoss.None"/> when they are.</param>
public sealed record GroupHistory(IReadOnlyList<ChannelMessage> Messages, GroupPosition Position, GroupHistoryLoss Loss)
{
    /// <summary>Gets whether <see cref="Messages"/> are every message after the position asked for.</summary>
    public bool Recovered => Loss == GroupHistoryLoss.None;
}

/// <summary>Why a group's history cannot give the messages after a position.</summary>
public enum GroupHistoryLoss
{
    /// <summary>Nothing is lost: every message after the position is given.</summary>
    None,

    /// <summary>The position is from another epoch: the history was lost (or the position was never this group's).</summary>
    EpochChanged,

    /// <summary>Messages after the position were trimmed from the history (it keeps the latest <c>MaxCount</c>, for <c>MaxAge</c>).</summary>
    Trimmed,
}
