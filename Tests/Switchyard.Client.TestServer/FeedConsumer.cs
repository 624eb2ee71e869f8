namespace Switchyard.Client.TestServer;

/// <summary>
/// <c>ws://host/ws/feed/{name}/?since=epoch:offset</c>: joins <c>feed.{name}</c> (a group with a history) from the
/// client's <see cref="WebSocketConsumer.ResumePosition"/>, so the items it missed come first, then tells it
/// <see cref="Joined"/>, then forwards live items (each frame ending with its position). A <see cref="Kick"/> to
/// <c>kick.{name}</c> closes the connection with 1012. While the gate <c>connect.{name}</c> is shut, a new connection
/// waits (at most 4 s) before it is accepted: the tests send to the feed while its client is away.
/// </summary>
/// <param name="gates">The gates the tests open.</param>
[WebSocketConsumer("/ws/feed/{name}/")]
public sealed partial class FeedConsumer(Gates gates) : JsonWebSocketConsumer
{
    // Service Restart: the server asks the client to come back (the official clients reconnect).
    private const int ServiceRestart = 1012;

    /// <inheritdoc />
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        var name = Route["name"];
        await gates.PassAsync($"connect.{name}", TimeSpan.FromSeconds(4), cancellationToken);
        await AcceptAsync(cancellationToken: cancellationToken);
        await JoinGroupAsync($"kick.{name}", cancellationToken);
        var since = ResumePosition;
        var resume = await JoinGroupAsync($"feed.{name}", since, cancellationToken);
        await SendAsync(new Joined(since?.ToString(), resume.Replayed, resume.Loss.ToString()), cancellationToken);
    }

    /// <summary>Forwards an item (the forwarding path: its frame carries the item's position).</summary>
    [FromLayer]
    public ValueTask Handle(FeedItem item, CancellationToken cancellationToken) => SendAsync(item, cancellationToken);

    /// <summary>Closes with 1012 (service restart), which the client reconnects after.</summary>
    [FromLayer]
    public ValueTask Handle(Kick kick, CancellationToken cancellationToken) =>
        CloseAsync(ServiceRestart, kick.Reason, cancellationToken);
}
