namespace Switchyard.Samples.Chat;

/// <summary>
/// One browser in one room: <c>ws://host/ws/chat/{room}/?name=ada</c>. It joins the room's group, sends what its user
/// says to the moderator worker, and forwards the room's messages to the browser.
/// </summary>
[WebSocketConsumer("/ws/chat/{room}/")]
[JoinGroup("chat.{room}")]
public sealed partial class RoomConsumer : JsonWebSocketConsumer
{
    private string User
    {
        get
        {
            var name = Scope.QueryString.StartsWith("?name=", StringComparison.Ordinal) ? Uri.UnescapeDataString(Scope.QueryString[6..]).Trim() : string.Empty;
            return name.Length == 0 ? "guest" : name.Length > 24 ? name[..24] : name;
        }
    }

    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await AcceptAsync(cancellationToken: cancellationToken);
        await GroupSendAsync($"chat.{Route["room"]}", new Presence(Route["room"], User, Joined: true), cancellationToken);
    }

    // What the user says goes to the moderator worker on its named channel, not straight to the room.
    [FromClient]
    public async ValueTask Handle(Say say, CancellationToken cancellationToken) =>
        await SendToChannelAsync(ModeratorConsumer.Channel, new ChatMessage(Route["room"], User, say.Text, DateTimeOffset.UtcNow), cancellationToken);

    // The moderator's channel is full (it is not keeping up with the room): the line is not passed on, and the speaker
    // is told so and stays connected. Without this override the line is dropped silently, the connection still open.
    protected override ValueTask OnChannelFullAsync(ChannelFullException exception, CancellationToken cancellationToken) =>
        SendAsync(new ChatError("The room is busy: your line was not sent. Try again in a moment."), cancellationToken);

    // Only forwarded to the browser: the generator puts these on the fast lane (one JSON encoding per broadcast).
    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);

    public ValueTask Handle(Presence presence, CancellationToken cancellationToken) => SendAsync(presence, cancellationToken);

    protected override async ValueTask OnDisconnectAsync(int closeCode, CancellationToken cancellationToken) =>
        await GroupSendAsync($"chat.{Route["room"]}", new Presence(Route["room"], User, Joined: false), cancellationToken);
}
