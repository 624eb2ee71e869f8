using System.Globalization;
using Switchyard.Samples.LiveBlog.Data;

namespace Switchyard.Samples.LiveBlog.Consumers;

/// <summary>
/// One reader's page on one blog: <c>ws://host/ws/liveblog/{blog}/?after=N&amp;since=epoch:offset</c> (the page's
/// <c>@switchyard/client</c> updates <c>since</c> on each reconnect). It joins the blog's group from the page's last
/// position in the group's history (<see cref="WebSocketConsumer.ResumePosition"/>), so the layer first sends the changes the page
/// missed; when it cannot (the history was lost or trimmed, or the page has no position), the database sends what
/// changed after change N instead — the database stays the truth. Then it forwards the group's changes as they come.
/// A change can arrive both ways around the catch-up; the page keeps the highest change number per post. When the
/// channel layer goes away the page is closed 1013 and its client reconnects.
/// </summary>
[WebSocketConsumer("/ws/liveblog/{blog}/")]
public sealed partial class LiveBlogConsumer(IPostStore store) : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        if (await store.BlogAsync(Route["blog"], cancellationToken) is null)
        {
            await RejectAsync(404);
            return;
        }

        await AcceptAsync(cancellationToken: cancellationToken);
        var since = ResumePosition;
        var resume = await JoinGroupAsync(BlogGroups.Blog(Route["blog"]), since, cancellationToken);
        if (since is null || !resume.Recovered)
        {
            foreach (var post in await store.ChangesSinceAsync(Route["blog"], After(), cancellationToken))
            {
                await SendAsync(post.ToMessage(), cancellationToken);
            }
        }
    }

    // The layer went away (Redis restarting): changes sent to the group until this consumer is in it again would not
    // reach this page. Close with 1013 (try again later): the page's client reconnects (refused with 503 until the layer
    // is back) asking for every change after the last one it saw, so it misses nothing.
    protected override ValueTask OnLayerDisconnectedAsync(Exception? error, CancellationToken cancellationToken) =>
        CloseAsync(WebSocketCloseCodes.TryAgainLater, "the channel layer is away", cancellationToken);

    // Only forwarded to the page: the generator puts it on the fast lane (one JSON encoding per broadcast).
    public ValueTask Handle(PostChanged post, CancellationToken cancellationToken) => SendAsync(post, cancellationToken);

    // The page's highest change number when it was rendered (?after=N): the database's starting point when the layer
    // cannot resume. The page's client keeps the URL as written and only updates since=, so after a long visit this
    // sends changes the page already has; the page keeps the highest change number per post and skips them.
    private long After()
    {
        foreach (var pair in Scope.QueryString.TrimStart('?').Split('&'))
        {
            if (pair.StartsWith("after=", StringComparison.Ordinal))
            {
                return long.TryParse(pair[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var after) ? after : 0;
            }
        }

        return 0;
    }
}
