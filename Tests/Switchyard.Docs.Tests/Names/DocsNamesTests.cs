using System.Reflection;
using Xunit;

namespace Switchyard.Docs.Tests.Names;

/// <summary>
/// Every type, member, namespace and attribute README.md and docs/ name in backticks exists in the code (see
/// <see cref="DocumentedNames"/> for what counts as a name and <see cref="NameResolver"/> for what "exists" means).
/// </summary>
public sealed class DocsNamesTests
{
    private static readonly string Root = typeof(DocsNamesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    private static readonly Lazy<KnownNames> Known = new(() => KnownNames.Of(Root));

    // Names the docs use that are not .NET code of this repository or its platform, each with the reason it may stay.
    private static readonly Dictionary<string, string> NotOurCode = new(StringComparer.Ordinal)
    {
        ["AsyncWebsocketConsumer"] = "Django Channels' class, compared with ours",
        ["AsyncJsonWebsocketConsumer"] = "Django Channels' class, compared with ours",
        ["AddX"] = "a placeholder in prose for ASP.NET Core's registration methods",
        ["XAsync(...)"] = "a placeholder in prose for any asynchronous call",
        ["Math.random"] = "JavaScript, in the client's jitter description",
        ["AllowedHostsOriginValidator"] = "Django Channels' origin check, compared with ours",
        ["SynchronousOnlyOperation"] = "Django's exception for blocking calls in async code, compared with the analyzer",
    };

    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string>("README.md");
        foreach (var path in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            documents.Add(Path.GetRelativePath(Root, path).Replace('\\', '/'));
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_name_in_backticks_exists(string document)
    {
        var markdown = File.ReadAllText(Path.Combine(Root, document));
        var unknown = DocumentedNames.Find(markdown, document)
            .Where(name => !NotOurCode.ContainsKey(name.Text))
            .Select(name => (name, problem: NameResolver.Problem(Known.Value, name.Text)))
            .Where(x => x.problem is not null)
            .Select(x => $"{x.name}: {x.problem}")
            .ToList();

        Assert.True(unknown.Count == 0, $"{document} names code that does not exist:\n{string.Join('\n', unknown)}");
    }

    [Theory]
    [InlineData("`ChannelLayerOptions.Capacity`")]
    [InlineData("`ConsumerOptions.DrainTimeout`")]
    [InlineData("`[JoinGroup(\"chat.{room}\")]`")]
    [InlineData("`IOptions<RedisChannelLayerOptions>`")]
    [InlineData("`Switchyard.Redis`")]
    [InlineData("`SendAsync(channel, message)`")]
    [InlineData("`CancellationToken`")]
    [InlineData("`HostOptions.ShutdownTimeout`")]
    [InlineData("`TreatWarningsAsErrors`")]
    [InlineData("`WebSocketBadInput`")]
    [InlineData("`Switchyard.ChannelLayer.redis`")]
    [InlineData("`RouteContract`")]
    public void A_name_that_exists_passes(string markdown)
    {
        var name = Assert.Single(DocumentedNames.Find(markdown, "test.md"));
        Assert.Null(NameResolver.Problem(Known.Value, name.Text));
    }

    [Theory]
    [InlineData("`PublishJsonAsync(T)`", "no type, member or namespace PublishJsonAsync")]
    [InlineData("`ChannelLayerOptions.NoSuchOption`", "ChannelLayerOptions has no member NoSuchOption")]
    [InlineData("`Switchyard.Redis.RedisLayerOptionz`", "namespace Switchyard.Redis has no type RedisLayerOptionz")]
    [InlineData("`[Consumerish]`", "no attribute Consumerish (type ConsumerishAttribute)")]
    [InlineData("`IOptions<ChannelLayerOptionz>`", "no type, member or namespace ChannelLayerOptionz")]
    [InlineData("`SwitchyardWorkerHost`", "no type, member or namespace SwitchyardWorkerHost")]
    public void A_deliberately_wrong_name_fails_the_check_saying_what_is_missing(string markdown, string problem)
    {
        var name = Assert.Single(DocumentedNames.Find($"Call {markdown} here.", "test.md"));
        Assert.Equal(problem, NameResolver.Problem(Known.Value, name.Text));
    }

    [Theory]
    [InlineData("`Samples/LiveBlog`")]
    [InlineData("`chat.say`")]
    [InlineData("`Program.cs`")]
    [InlineData("`SWY0001`")]
    [InlineData("`GET`")]
    [InlineData("`Sec-WebSocket-Protocol`")]
    [InlineData("`o.Layer`")]
    [InlineData("`{\"type\":\"chat.say\"}`")]
    [InlineData("`dotnet run --project Samples/LiveBlog`")]
    public void Text_that_is_not_a_code_name_is_not_checked(string markdown) =>
        Assert.Empty(DocumentedNames.Find(markdown, "test.md"));

    [Fact]
    public void Code_in_fenced_blocks_is_left_to_the_compiled_examples() =>
        Assert.Empty(DocumentedNames.Find("```csharp\nvar x = `NoSuchType`;\n```\n", "test.md"));
}
