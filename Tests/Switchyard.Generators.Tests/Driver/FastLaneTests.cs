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
                [FromLayer] public ValueTask Handle(Comment comment, CancellationToken ct) => SendAsync(comment with { Text = comment.Text.Trim() }, ct);
            }
            """);

        Assert.Contains("global::Switchyard.IForwardingConsumer", consumer, StringComparison.Ordinal);
        Assert.Contains("case \"blog.post\":\n                    frame = new global::Switchyard.ForwardedFrame(message.GetJsonFrame<global::Blog.Post>(), true);", consumer, StringComparison.Ordinal);
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
                [FromLayer] public async ValueTask Handle(Post post, CancellationToken ct) => await SendAsync(post, ct);
            }
            """);
        var ownSendAsync = Generate("""
            [WebSocketConsumer("/b/")]
            public sealed partial class OwnSendConsumer : JsonWebSocketConsumer
            {
                [FromLayer] public ValueTask Handle(Post post, CancellationToken ct) => SendAsync(post, ct);
                private ValueTask SendAsync(Post post, CancellationToken ct) => default;
            }
            """);

        Assert.DoesNotContain("IForwardingConsumer", asyncHandler, StringComparison.Ordinal);
        Assert.DoesNotContain("IForwardingConsumer", ownSendAsync, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_forwarders_of_a_field_take_the_fast_lane_with_a_text_or_binary_frame_made_once_per_message()
    {
        var consumer = Generate("""
            [Message("blog.raw")] public sealed partial record Raw(string Text, byte[] Data);
            [Message("blog.bin")] public sealed partial record Bin(byte[] Data);
            [Message("blog.utf8")] public sealed partial record Utf8Line(byte[] Line);
            [WebSocketConsumer("/raw/")]
            public sealed partial class RawConsumer : WebSocketConsumer
            {
                public ValueTask Handle(Raw raw, CancellationToken ct) => SendTextAsync(raw.Text, ct);
                public ValueTask Handle(Bin bin) => SendBytesAsync(bin.Data);
                public ValueTask Handle(Utf8Line line, CancellationToken ct) => SendTextAsync(line.Line, ct);
                public ValueTask Handle(Post post, CancellationToken ct) => SendTextAsync(post.Title.ToUpperInvariant(), ct);
            }
            """);

        Assert.Contains("global::Switchyard.IForwardingConsumer", consumer, StringComparison.Ordinal);
        Assert.Contains("global::Blog.Raw.Read(m.Payload.Span).Text is { } text ? global::System.Text.Encoding.UTF8.GetBytes(text) : null", consumer, StringComparison.Ordinal);
        Assert.Contains("(byte[]?)global::Blog.Bin.Read(m.Payload.Span).Data ?? global::System.Array.Empty<byte>()", consumer, StringComparison.Ordinal);
        Assert.Contains("(byte[]?)global::Blog.Utf8Line.Read(m.Payload.Span).Line ?? global::System.Array.Empty<byte>()", consumer, StringComparison.Ordinal);
        Assert.Contains("frame = new global::Switchyard.ForwardedFrame(frame0 ?? default(global::System.ReadOnlyMemory<byte>), false);", consumer, StringComparison.Ordinal);
        Assert.DoesNotContain("case \"blog.post\":\n                    var", consumer, StringComparison.Ordinal);
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
