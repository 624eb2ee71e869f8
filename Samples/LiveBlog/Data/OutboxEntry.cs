namespace Switchyard.Samples.LiveBlog.Data;

/// <summary>What must still happen after a post's change was committed, written in the same transaction as the change.</summary>
public enum OutboxKind
{
    /// <summary>The render worker must render change <see cref="OutboxEntry.Seq"/> (done when it stores the HTML).</summary>
    Render,

    /// <summary>Pages must be sent change <see cref="OutboxEntry.Seq"/> (done once the group send went through).</summary>
    Publish,
}

/// <summary>One outbox entry, as a dispatcher claims it.</summary>
/// <param name="Id">The entry.</param>
/// <param name="Kind">What must happen.</param>
/// <param name="PostId">The post it is about.</param>
/// <param name="Seq">The change of that post it is about.</param>
/// <param name="Attempts">How many times it has been claimed, this claim included.</param>
public sealed record OutboxEntry(long Id, OutboxKind Kind, long PostId, long Seq, int Attempts);
