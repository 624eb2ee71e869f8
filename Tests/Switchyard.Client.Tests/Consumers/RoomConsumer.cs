using Switchyard.Client.TestMessages;

namespace Switchyard.Client.Tests.Consumers;

/// <summary><c>/ws/client/room/{room}/</c>: a member of <c>room.{room}</c>; forwards its notes and publishes the client's.</summary>
[WebSocketConsumer("/ws/client/room/{room}/")]
[JoinGroup("room.{room}")]
public sealed partial class RoomConsumer : JsonWebSocketConsumer
{
    public ValueTask Handle(Note note, CancellationToken cancellationToken) => SendAsync(note, cancellationToken);

    [FromClient]
    public async ValueTask Handle(Publish publish, CancellationToken cancellationToken) =>
        await GroupSendAsync($"room.{Route["room"]}", new Note(publish.Text), cancellationToken);
}
