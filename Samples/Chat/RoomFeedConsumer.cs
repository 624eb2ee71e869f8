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

    public ValueTask Handle(PresenceEvent presence, CancellationToken cancellationToken) =>
        SendEventAsync(
            string.Join(", ", presence.Joins.Select(m => $"{m.Info} joined").Concat(presence.Leaves.Select(m => $"{m.Info} left")).DefaultIfEmpty($"{presence.Count} here")),
            "presence",
            cancellationToken: cancellationToken);

    // A feed is in the room too: the room's presence lists it as one.
    protected override string? GetPresenceInfo(string group) => "(a feed)";
}
