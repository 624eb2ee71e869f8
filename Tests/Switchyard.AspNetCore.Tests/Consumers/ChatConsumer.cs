namespace Switchyard.AspNetCore.Tests.Consumers;

/// <summary>A JSON consumer in a room group: "chat.say" is broadcast to the room as "chat.message"; "chat.flood" broadcasts many.</summary>
[WebSocketConsumer("/ws/chat/{room}/")]
[JoinGroup("chat.{room}")]
public sealed partial class ChatConsumer(Support.ConsumerEvents events) : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await base.OnConnectAsync(cancellationToken);
        await SendAsync(new Hello(ChannelName, Scope.User?.Identity?.Name, Subprotocol), cancellationToken);
    }

    [FromClient]
    public async ValueTask Handle(Say say, CancellationToken cancellationToken) =>
        await GroupSendAsync($"chat.{Route["room"]}", new ChatMessage(Route["room"], say.Text), cancellationToken);

    [FromClient]
    public async ValueTask Handle(Flood flood, CancellationToken cancellationToken)
    {
        var text = new string('x', flood.Size);
        for (var i = 0; i < flood.Count; i++)
        {
            await GroupSendAsync($"chat.{Route["room"]}", new ChatMessage(Route["room"], $"{i}:{text}"), cancellationToken);
        }
    }

    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);

    [FromClient]
    public ValueTask Handle(Boom boom) => throw new InvalidOperationException(boom.Why);

    protected override ValueTask OnDisconnectAsync(int closeCode, CancellationToken cancellationToken)
    {
        events.Add($"chat-disconnect:{closeCode}");
        return default;
    }
}
