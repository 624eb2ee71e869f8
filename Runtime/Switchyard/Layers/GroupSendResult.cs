namespace Switchyard;

/// <summary>What a group send did, member by member: how many channels got the message and how many were skipped.</summary>
/// <param name="Delivered">Member channels that received the message.</param>
/// <param name="SkippedFull">Member channels skipped because they were full. Each skip was counted and logged.</param>
public readonly record struct GroupSendResult(int Delivered, int SkippedFull)
{
    /// <summary>Gets the number of members the send considered.</summary>
    public int Members => Delivered + SkippedFull;
}
