namespace Switchyard;

/// <summary>What a consumer's <c>JoinGroupAsync(group, since)</c> did: how many missed messages it handled, or why it could not.</summary>
/// <param name="Position">
/// The group's position once the missed messages were handled: keep it (and each later message's,
/// <see cref="ChannelMessage.TryGetGroupPosition"/>) to resume from next time.
/// </param>
/// <param name="Replayed">How many missed messages were handed to the consumer's handlers, oldest first.</param>
/// <param name="Loss">
/// Why the missed messages could not be given (<see cref="GroupHistoryLoss.None"/> when they were): the consumer is in
/// the group and gets live messages, and the application catches up from its own source of truth.
/// </param>
public readonly record struct GroupResume(GroupPosition Position, int Replayed, GroupHistoryLoss Loss)
{
    /// <summary>Gets whether every message after the position given was handled.</summary>
    public bool Recovered => Loss == GroupHistoryLoss.None;
}
