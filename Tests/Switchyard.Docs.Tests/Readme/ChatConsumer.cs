namespace Switchyard.Docs.Tests.Readme;

// The README's consumer, compiled and run by ReadmeTests; the README shows what lies between the markers.
// <readme>
[Message("chat.say")]     public sealed partial record Say(string Text);
[Message("chat.said")]    public sealed partial record Said(DateTimeOffset At);
[Message("chat.message")] public sealed partial record ChatMessage(string Room, string User, string Text, DateTimeOffset At);

[WebSocketConsumer("/ws/chat/{room}/")]
[JoinGroup("chat.{room}")]
public sealed partial class ChatConsumer : JsonWebSocketConsumer
{
    // From the client ([FromClient]: only such handlers take client frames): broadcast the line to the room, and answer
    // the client's request with when it was said.
    [FromClient]
    public async ValueTask<Said> Handle(Say say, CancellationToken ct)
    {
        var line = new ChatMessage(Route["room"], Scope.User?.Identity?.Name ?? "guest", say.Text, DateTimeOffset.UtcNow);
        await GroupSendAsync($"chat.{line.Room}", line, ct);
        return new Said(line.At);
    }

    // From the group: only forwarded to this client, so it takes the forwarding path (encoded once per broadcast,
    // written to every member's socket without waking its consumer).
    public ValueTask Handle(ChatMessage line, CancellationToken ct) => SendAsync(line, ct);
}
// </readme>
