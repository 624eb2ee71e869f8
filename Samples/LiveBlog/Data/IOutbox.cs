namespace Switchyard.Samples.LiveBlog.Data;

/// <summary>
/// The outbox: what must happen after a committed change — a render, a publish to pages — kept in the database with
/// the change itself, so a channel-layer outage delays it and never loses it. Every live-blog process dispatches it
/// (see <see cref="Publishing.OutboxDispatcher"/>); an entry is claimed for a lease, so two processes do not send it at
/// once, and is done when what it asks for is stored (a render) or sent (a publish).
/// </summary>
public interface IOutbox
{
    /// <summary>
    /// Claims up to <paramref name="max"/> entries that are due at <paramref name="now"/>: each becomes due again at
    /// <paramref name="leaseUntil"/> unless it is finished or rescheduled before that.
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken cancellationToken);

    /// <summary>Removes a finished (or superseded) entry.</summary>
    Task FinishAsync(long id, CancellationToken cancellationToken);

    /// <summary>Makes a claimed entry due again at <paramref name="dueAt"/> (its send failed).</summary>
    Task RescheduleAsync(long id, DateTimeOffset dueAt, CancellationToken cancellationToken);

    /// <summary>Gets how many entries wait (for health and the tests).</summary>
    Task<long> CountAsync(CancellationToken cancellationToken);
}
