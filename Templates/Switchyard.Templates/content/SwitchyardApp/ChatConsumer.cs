namespace SwitchyardApp;

/// <summary>
/// One browser's connection to a chat room, at <c>/ws/chat/{room}/</c>: it joins the room's group, broadcasts the lines
/// the browser says to the group, and sends the group's lines to the browser.
/// </summary>
[WebSocketConsumer("/ws/chat/{room}/")]
[JoinGroup("chat.{room}")]
public sealed partial class ChatConsumer : JsonWebSocketConsumer
{
    /// <summary>A line from the browser ([FromClient]: only such handlers take the client's frames): to the whole room.</summary>
    [FromClient]
    public async ValueTask Handle(Say say, CancellationToken ct)
    {
        var line = new ChatMessage(Route["room"], Scope.User?.Identity?.Name ?? "guest", say.Text, DateTimeOffset.UtcNow);
        await GroupSendAsync($"chat.{line.Room}", line, ct);
    }

    /// <summary>A line from the room's group: to the browser.</summary>
    public ValueTask Handle(ChatMessage line, CancellationToken ct) => SendAsync(line, ct);
}
