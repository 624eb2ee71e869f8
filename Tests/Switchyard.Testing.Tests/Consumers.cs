namespace Switchyard.Testing.Tests;

[Message("room.say")]
public sealed partial record Say(string Text);

[Message("room.said")]
public sealed partial record Said(string Room, string Text);

public sealed class Greeter
{
    public string Greet(string name) => $"welcome, {name}";
}

/// <summary>A room: greets on connect, broadcasts what members say, refuses the room "closed".</summary>
[WebSocketConsumer("/rooms/{room}/")]
[JoinGroup("room.{room}")]
public sealed partial class RoomConsumer(Greeter greeter) : JsonWebSocketConsumer
{
    public int? DisconnectCode { get; private set; }

    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        if (Route["room"] == "closed")
        {
            await RejectAsync();
            return;
        }

        await AcceptAsync(cancellationToken: cancellationToken);
        await SendAsync(new Said(Route["room"], greeter.Greet(Scope.QueryString.TrimStart('?'))), cancellationToken);
    }

    [FromClient]
    public async ValueTask Handle(Say say, CancellationToken cancellationToken) =>
        await GroupSendAsync($"room.{Route["room"]}", new Said(Route["room"], say.Text), cancellationToken);

    public ValueTask Handle(Said said, CancellationToken cancellationToken) => SendAsync(said, cancellationToken);

    protected override ValueTask OnDisconnectAsync(int closeCode, CancellationToken cancellationToken)
    {
        DisconnectCode = closeCode;
        return default;
    }
}

[HttpConsumer("/greet/{name}")]
public sealed partial class GreetConsumer(Greeter greeter) : HttpConsumer
{
    protected override ValueTask OnRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendResponseAsync(200, greeter.Greet(Route["name"]), cancellationToken: cancellationToken);
}
