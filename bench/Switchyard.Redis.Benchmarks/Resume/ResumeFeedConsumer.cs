namespace Switchyard.Redis.Benchmarks.Resume;

/// <summary>
/// A feed a client resumes, as the AspNetCore tests' FeedConsumer: <c>/ws/resume/{name}/?since=epoch:offset</c> joins
/// <c>feed.{name}</c>, first sends what the client missed (one JSON frame each), then a <see cref="FeedResumed"/>
/// notice, then live messages.
/// </summary>
[WebSocketConsumer("/ws/resume/{name}/")]
public sealed partial class ResumeFeedConsumer : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await AcceptAsync(cancellationToken: cancellationToken);
        var query = Scope.QueryString;
        GroupPosition? since = query.StartsWith("?since=", StringComparison.Ordinal) && GroupPosition.TryParse(Uri.UnescapeDataString(query[7..]), out var position)
            ? position
            : null;
        var resume = await JoinGroupAsync($"feed.{Route["name"]}", since, cancellationToken);
        await SendAsync(new FeedResumed(resume.Position.ToString(), resume.Replayed, resume.Loss.ToString()), cancellationToken);
    }

    public ValueTask Handle(FeedItem item, CancellationToken cancellationToken) => SendAsync(item, cancellationToken);
}
