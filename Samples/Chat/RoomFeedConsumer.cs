namespace Switchyard.Samples.Chat;

/// <summary>A read-only feed of a room as Server-Sent Events: <c>curl -N http://host/rooms/{room}/events</c>.</summary>
[HttpConsumer("/rooms/{room}/events", "GET")]
[JoinGroup("chat.{room}")]
public sealed partial class RoomFeedConsumer : HttpConsumer
{
    protected override ValueTask OnRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendEventAsync($"watching {Route["room"]}", "hello", cancellationToken: cancellationToken);

    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken) =>
        SendEventAsync($"{message.User}: {message.Text}", "message", cancellationToken: cancellationToken);

    public ValueTask Handle(Presence presence, CancellationToken cancellationToken) =>
        SendEventAsync($"{presence.User} {(presence.Joined ? "joined" : "left")}", "presence", cancellationToken: cancellationToken);
}
