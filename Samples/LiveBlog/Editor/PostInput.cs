using System.Text.Json;
using System.Text.Json.Serialization;
using Switchyard.Samples.LiveBlog.Data;

namespace Switchyard.Samples.LiveBlog.Editor;

/// <summary>What the editor sends to create or change a post.</summary>
public sealed record PostInput(string? Title, string? Body)
{
    public const int MaxTitle = 200;
    public const int MaxBody = 20_000;

    /// <summary>What is wrong with the input, or null when it can be saved.</summary>
    public string? Problem() =>
        string.IsNullOrWhiteSpace(Title) ? "a title is required"
        : Title.Length > MaxTitle ? $"the title is longer than {MaxTitle} characters"
        : string.IsNullOrWhiteSpace(Body) ? "a body is required"
        : Body.Length > MaxBody ? $"the body is longer than {MaxBody} characters"
        : null;
}

/// <summary>The JSON the editor API reads and writes, generated at compile time (no reflection: Native AOT).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PostInput))]
[JsonSerializable(typeof(Post))]
[JsonSerializable(typeof(IReadOnlyList<Post>))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
public sealed partial class LiveBlogJson : JsonSerializerContext;
