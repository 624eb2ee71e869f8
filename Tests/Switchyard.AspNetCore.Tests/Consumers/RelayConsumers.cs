using Switchyard.AspNetCore.Tests.Support;

namespace Switchyard.AspNetCore.Tests.Consumers;

[Message("relay.frame")]
public sealed partial record RelayFrame(string Text);

[Message("relay.line")]
public sealed partial record RelayLine(int Seq, string Text);

/// <summary>The raw group relay a new user writes from the docs: a client's frame to the group, the group's to the client.</summary>
[WebSocketConsumer("/ws/relay/text/{name}/")]
[JoinGroup("relay.text.{name}")]
public sealed partial class TextRelayConsumer : WebSocketConsumer
{
    protected override async ValueTask OnReceiveAsync(WebSocketMessage message, CancellationToken cancellationToken) =>
        await GroupSendAsync($"relay.text.{Route["name"]}", new RelayFrame(message.GetText()), cancellationToken);

    public ValueTask Handle(RelayFrame frame, CancellationToken cancellationToken) => SendTextAsync(frame.Text, cancellationToken);
}

/// <summary>The JSON group relay: one client handler and one layer handler (a forwarder) for the same type.</summary>
[WebSocketConsumer("/ws/relay/json/{name}/")]
[JoinGroup("relay.json.{name}")]
public sealed partial class JsonRelayConsumer(ConsumerEvents events) : JsonWebSocketConsumer
{
    [FromClient]
    public async ValueTask Handle(RelayLine line, CancellationToken cancellationToken) =>
        await GroupSendAsync($"relay.json.{Route["name"]}", line, cancellationToken);

    [FromLayer]
    public ValueTask Forward(RelayLine line, CancellationToken cancellationToken) => SendAsync(line, cancellationToken);

    // Only the server sends these; a client's frame of this type must never get here.
    [FromLayer]
    public ValueTask Handle(ChatMessage message, CancellationToken cancellationToken)
    {
        events.Add($"relay-layer-only:{message.Text}");
        return SendAsync(new RelayLine(-1, message.Text), cancellationToken);
    }
}
