namespace Switchyard.AspNetCore.Tests.Consumers;

/// <summary>
/// A feed a client resumes: <c>/ws/feed/{name}/?since=epoch:offset</c> joins <c>feed.{name}</c> and first gets what it
/// missed, then a <see cref="Resumed"/> notice, then live messages (forwarded only: the fast lane).
/// </summary>
[WebSocketConsumer("/ws/feed/{name}/")]
public sealed partial class FeedConsumer : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await AcceptAsync(cancellationToken: cancellationToken);
        var query = Scope.QueryString;
        GroupPosition? since = query.StartsWith("?since=", StringComparison.Ordinal) && GroupPosition.TryParse(Uri.UnescapeDataString(query[7..]), out var position)
            ? position
            : null;
        var resume = await JoinGroupAsync($"feed.{Route["name"]}", since, cancellationToken);
        await SendAsync(new Resumed(resume.Position.ToString(), resume.Replayed, resume.Loss.ToString()), cancellationToken);
    }

    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);
}
