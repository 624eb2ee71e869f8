using Switchyard.Samples.LiveBlog.Data;
using Switchyard.Samples.LiveBlog.Rendering;

namespace Switchyard.Samples.LiveBlog.Consumers;

/// <summary>
/// The slow part, off the request path: renders a saved post's Markdown to HTML on the worker channel
/// <c>liveblog.render</c> (in this process's worker host, or in a worker process on the same Redis), stores it, and
/// publishes the post to its blog's group — one group message per save.
/// </summary>
[ChannelConsumer(Channel)]
public sealed partial class RenderWorker(IPostStore store, ILogger<RenderWorker> logger) : ChannelConsumer
{
    public const string Channel = "liveblog.render";

    public async ValueTask Handle(RenderPost request, CancellationToken cancellationToken)
    {
        if (await store.PostAsync(request.Id, cancellationToken) is not { Deleted: false } post || post.Seq != request.Seq)
        {
            // Edited or deleted since: the newer change has its own render (or needs none).
            return;
        }

        var html = MarkdownRenderer.Render(post.Body);
        if (await store.SetHtmlAsync(post.Id, post.Seq, html, cancellationToken) is { } rendered)
        {
            await GroupSendAsync(BlogGroups.Blog(rendered.Blog), rendered.ToMessage(), cancellationToken);
            Log.Rendered(logger, rendered.Id, rendered.Blog, rendered.Seq);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Rendered post {Id} of {Blog} (change {Seq}).")]
        public static partial void Rendered(ILogger logger, long id, string blog, long seq);
    }
}
