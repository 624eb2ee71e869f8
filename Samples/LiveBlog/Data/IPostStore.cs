namespace Switchyard.Samples.LiveBlog.Data;

/// <summary>
/// Where blogs and posts live. Every change (publish, edit, render, delete) takes the next number of one sequence, so
/// "everything after change N" is one query: what a reconnecting page asks for.
/// </summary>
public interface IPostStore
{
    /// <summary>Creates the tables (and the sample blogs) when they are missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<Blog>> BlogsAsync(CancellationToken cancellationToken);

    Task<Blog?> BlogAsync(string slug, CancellationToken cancellationToken);

    /// <summary>
    /// The blog's posts that pages can show (rendered, not deleted), newest first, and the number of the last change
    /// this view includes (from one query, so a page that asks for what came after it misses nothing).
    /// </summary>
    Task<(IReadOnlyList<Post> Posts, long AfterSeq)> PageAsync(string blog, CancellationToken cancellationToken);

    /// <summary>The blog's posts as the editor sees them: every one not deleted, rendered or still waiting, newest first.</summary>
    Task<IReadOnlyList<Post>> EditorPostsAsync(string blog, CancellationToken cancellationToken);

    /// <summary>What changed on the blog after change <paramref name="afterSeq"/> that pages need: renders and deletions, in order.</summary>
    Task<IReadOnlyList<Post>> ChangesSinceAsync(string blog, long afterSeq, CancellationToken cancellationToken);

    Task<Post?> PostAsync(long id, CancellationToken cancellationToken);

    /// <summary>Saves a new post (HTML pending) and, in the same transaction, its render request in the outbox.</summary>
    Task<Post> CreateAsync(string blog, string title, string body, CancellationToken cancellationToken);

    /// <summary>Changes a post's title and body (HTML pending again, a render request in the outbox); null when there is no such post.</summary>
    Task<Post?> UpdateAsync(long id, string title, string body, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the HTML rendered for change <paramref name="seq"/> and, in the same transaction, the publish to pages in
    /// the outbox; null when the post changed since (a newer render will follow) or this change was rendered already.
    /// </summary>
    Task<Post?> SetHtmlAsync(long id, long seq, string html, CancellationToken cancellationToken);

    /// <summary>Marks a post deleted (kept, so reconnecting pages learn of it) and puts its publish in the outbox; null when there is no such post.</summary>
    Task<Post?> DeleteAsync(long id, CancellationToken cancellationToken);
}
