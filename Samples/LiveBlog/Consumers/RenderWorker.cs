using Switchyard.Samples.LiveBlog.Data;
using Switchyard.Samples.LiveBlog.Publishing;
using Switchyard.Samples.LiveBlog.Rendering;

namespace Switchyard.Samples.LiveBlog.Consumers;

/// <summary>
/// The slow part, off the request path: renders a saved post's Markdown to HTML on the worker channel
/// <c>liveblog.render</c> (in this process's worker host, or in a worker process on the same Redis) and stores it
/// with its publish to the blog's group in the outbox, which this process's <see cref="OutboxDispatcher"/> sends —
/// one group message per save, even when the layer is away for a while. A change is rendered once: a repeated
/// request (the outbox sends one again when the first may have been lost) finds it rendered and does nothing.
/// </summary>
[ChannelConsumer(Channel)]
public sealed partial class RenderWorker(IPostStore store, OutboxDispatcher outbox, ILogger<RenderWorker> logger) : ChannelConsumer
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
            outbox.Wake();
            Log.Rendered(logger, rendered.Id, rendered.Blog, rendered.Seq);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Rendered post {Id} of {Blog} (change {Seq}).")]
        public static partial void Rendered(ILogger logger, long id, string blog, long seq);
    }
}
