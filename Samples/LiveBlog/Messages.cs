namespace Switchyard.Samples.LiveBlog;

/// <summary>
/// A post as pages see it, sent to the blog's group <c>liveblog.{blog}</c> and to reconnecting pages: new, edited (a
/// higher <paramref name="Seq"/> for the same <paramref name="Id"/>) or deleted. <paramref name="Seq"/> orders every
/// change of every blog; a page keeps the highest it has seen and asks for what came after it when it reconnects.
/// </summary>
[Message("liveblog.post")]
public sealed partial record PostChanged(string Blog, long Id, long Seq, string Title, string Html, DateTimeOffset PublishedAt, bool Deleted);

/// <summary>Asks the render worker to turn a saved post's Markdown into HTML and publish it (change <paramref name="Seq"/>).</summary>
[Message("liveblog.render")]
public sealed partial record RenderPost(string Blog, long Id, long Seq);
