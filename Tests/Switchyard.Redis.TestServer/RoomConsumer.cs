namespace Switchyard.Redis.TestServer;

/// <summary>
/// <c>ws://host/ws/room/{room}/</c>: joins <c>room.{room}</c>, a presence group (its member carries the connection's
/// user and "process {id}"), and passes the room's <see cref="PresenceEvent"/>s on to its client.
/// </summary>
[WebSocketConsumer("/ws/room/{room}/")]
[JoinGroup("room.{room}")]
public sealed partial class RoomConsumer : JsonWebSocketConsumer
{
    public ValueTask Handle(PresenceEvent presence, CancellationToken cancellationToken) => SendAsync(presence, cancellationToken);

    protected override string? GetPresenceInfo(string group) => $"process {Environment.ProcessId}";
}
