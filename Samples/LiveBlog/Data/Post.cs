namespace Switchyard.Samples.LiveBlog.Data;

/// <summary>A post as stored: its Markdown, and its HTML once the render worker has made it (null until then).</summary>
public sealed record Post(long Id, string Blog, string Title, string Body, string? Html, DateTimeOffset PublishedAt, long Seq, bool Deleted)
{
    /// <summary>The post as pages see it.</summary>
    public PostChanged ToMessage() => new(Blog, Id, Seq, Title, Html ?? string.Empty, PublishedAt, Deleted);
}

/// <summary>A blog: its slug (in URLs and group names) and its title.</summary>
public sealed record Blog(string Slug, string Title);
