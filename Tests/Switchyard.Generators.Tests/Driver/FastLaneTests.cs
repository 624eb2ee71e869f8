using Xunit;

namespace Switchyard.Generators.Tests.Driver;

/// <summary>Which handlers the generator puts on the fast lane (<c>IForwardingConsumer</c>): only those that do nothing but forward.</summary>
public sealed class FastLaneTests
{
    private const string Messages = """
        using System.Threading;
        using System.Threading.Tasks;
        using Switchyard;
        namespace Blog;

        [Message("blog.post")] public sealed partial record Post(int Id, string Title);
        [Message("blog.comment")] public sealed partial record Comment(int PostId, string Text);
        [Message("blog.like")] public sealed partial record Like(int PostId);
        """;

    [Fact]
    public void Expression_and_single_return_forwarders_take_the_fast_lane_and_handlers_that_do_more_do_not()
    {
        var consumer = Generate("""
            [WebSocketConsumer("/blog/")]
            public sealed partial class BlogConsumer : JsonWebSocketConsumer
            {
                public ValueTask Handle(Post post, CancellationToken ct) => SendAsync(post, ct);
                public ValueTask Handle(Like like) { return this.SendAsync(like); }
                public ValueTask Handle(Comment comment, CancellationToken ct) => SendAsync(comment with { Text = comment.Text.Trim() }, ct);
            }
            """);

        Assert.Contains("global::Switchyard.IForwardingConsumer", consumer, StringComparison.Ordinal);
        Assert.Contains("case \"blog.post\":\n                    frame = message.GetJsonFrame<global::Blog.Post>();", consumer, StringComparison.Ordinal);
        Assert.Contains("message.GetJsonFrame<global::Blog.Like>()", consumer, StringComparison.Ordinal);
        Assert.DoesNotContain("GetJsonFrame<global::Blog.Comment>", consumer, StringComparison.Ordinal);
    }

    [Fact]
    public void Async_handlers_and_consumers_with_their_own_SendAsync_keep_the_normal_path()
    {
        var asyncHandler = Generate("""
            [WebSocketConsumer("/a/")]
            public sealed partial class AsyncConsumer : JsonWebSocketConsumer
            {
                public async ValueTask Handle(Post post, CancellationToken ct) => await SendAsync(post, ct);
            }
            """);
        var ownSendAsync = Generate("""
            [WebSocketConsumer("/b/")]
            public sealed partial class OwnSendConsumer : JsonWebSocketConsumer
            {
                public ValueTask Handle(Post post, CancellationToken ct) => SendAsync(post, ct);
                private ValueTask SendAsync(Post post, CancellationToken ct) => default;
            }
            """);

        Assert.DoesNotContain("IForwardingConsumer", asyncHandler, StringComparison.Ordinal);
        Assert.DoesNotContain("IForwardingConsumer", ownSendAsync, StringComparison.Ordinal);
    }

    [Fact]
    public void A_channel_consumer_never_takes_the_fast_lane()
    {
        var consumer = Generate("""
            [ChannelConsumer("blog.index")]
            public sealed partial class Indexer : ChannelConsumer
            {
                public ValueTask Handle(Post post, CancellationToken ct) => SendAsync(post, ct);
                private ValueTask SendAsync(Post post, CancellationToken ct) => default;
            }
            """);

        Assert.DoesNotContain("IForwardingConsumer", consumer, StringComparison.Ordinal);
    }

    private static string Generate(string consumer)
    {
        var run = GeneratorHarness.Run(Messages, "using System.Threading;\nusing System.Threading.Tasks;\nusing Switchyard;\nnamespace Blog;\n" + consumer);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileDiagnostics);
        return run.Sources.Single(s => s.Key.Contains("Consumer", StringComparison.Ordinal) || s.Key.Contains("Indexer", StringComparison.Ordinal)).Value;
    }
}
