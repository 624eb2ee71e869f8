namespace Switchyard.Redis.TestServer;

/// <summary>
/// <c>ws://host/ws/feed/{name}/?since=epoch:offset</c>: joins <c>feed.{name}</c> (a group with a history) from the
/// client's last position, so the notes it missed come first, then a <see cref="Resumed"/> notice, then live notes —
/// each note's frame ending with its position.
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

    public ValueTask Handle(UserNote note, CancellationToken cancellationToken) => SendAsync(note, cancellationToken);
}
