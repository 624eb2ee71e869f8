namespace Switchyard.Redis.TestServer;

/// <summary>
/// <c>ws://host/ws/echo/</c>, open to anyone (a signed-in user's connection is in its user's group, so
/// SendToUserAsync and DisconnectUserAsync reach it): greets its client with a <see cref="Welcome"/>, then passes on
/// every <see cref="UserNote"/> it is sent.
/// </summary>
[WebSocketConsumer("/ws/echo/")]
public sealed partial class EchoConsumer : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await base.OnConnectAsync(cancellationToken);
        await SendAsync(new Welcome(Scope.UserId, Environment.ProcessId), cancellationToken);
    }

    public ValueTask Handle(UserNote note, CancellationToken cancellationToken) => SendAsync(note, cancellationToken);
}
