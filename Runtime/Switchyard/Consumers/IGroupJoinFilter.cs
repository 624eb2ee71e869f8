namespace Switchyard;

/// <summary>
/// Decides whether a consumer may join a group, for every join: the <c>[JoinGroup]</c> rules at connect and each
/// <see cref="Consumer.JoinGroupAsync(string, CancellationToken)"/>. Register one in the services (<c>AddSingleton&lt;IGroupJoinFilter, MyFilter&gt;()</c>)
/// to keep users out of rooms they may not read. A refused <c>[JoinGroup]</c> rule refuses the connection (HTTP 403);
/// a refused explicit join throws <see cref="GroupJoinRefusedException"/> in the handler.
/// </summary>
public interface IGroupJoinFilter
{
    /// <summary>Returns whether the consumer with <paramref name="scope"/> may join <paramref name="group"/>.</summary>
    /// <param name="scope">The consumer's scope: user, route values, channel.</param>
    /// <param name="group">The group.</param>
    /// <param name="cancellationToken">Cancelled when the consumer is aborted.</param>
    /// <returns><see langword="true"/> to allow the join.</returns>
    ValueTask<bool> CanJoinAsync(ConsumerScope scope, string group, CancellationToken cancellationToken);
}
