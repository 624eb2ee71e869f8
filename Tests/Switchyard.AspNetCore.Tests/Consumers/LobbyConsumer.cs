namespace Switchyard.AspNetCore.Tests.Consumers;

/// <summary><c>/ws/lobby/{room}/</c>: a member of the presence group <c>lobby.{room}</c> that passes its presence events on to its client.</summary>
[WebSocketConsumer("/ws/lobby/{room}/")]
[JoinGroup("lobby.{room}")]
public sealed partial class LobbyConsumer : JsonWebSocketConsumer
{
    public ValueTask Handle(PresenceEvent presence, CancellationToken cancellationToken) => SendAsync(presence, cancellationToken);

    protected override string? GetPresenceInfo(string group) => Scope.QueryString.StartsWith("?device=", StringComparison.Ordinal) ? Scope.QueryString[8..] : null;
}
