namespace Switchyard.Samples.LiveBlog;

/// <summary>The live blog's group names.</summary>
public static class BlogGroups
{
    /// <summary>Every page open on a blog: <c>liveblog.{blog}</c>.</summary>
    public static string Blog(string blog) => $"liveblog.{blog}";
}
