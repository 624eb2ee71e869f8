using Switchyard.Client.TestMessages;

namespace Switchyard.Client.Tests.Consumers;

/// <summary>
/// <c>/ws/client/hello/</c>: tells its client what its handshake carried: the <c>X-Client</c> header, the subprotocols
/// offered and the query string (as a <see cref="Note"/> of the form <c>header|subprotocols|query</c>). With
/// <c>restart=1</c> in the query and no <c>since=e9</c>, it then sends a frame at position <c>e9:4</c> and closes with
/// 1012, so the client reconnects with <c>since=e9:4</c>.
/// </summary>
[WebSocketConsumer("/ws/client/hello/")]
public sealed partial class HelloConsumer : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await AcceptAsync(cancellationToken: cancellationToken);
        var header = Scope.Headers.TryGetValue("X-Client", out var value) ? value : "-";
        await SendAsync(new Note($"{header}|{string.Join(',', Scope.Subprotocols)}|{Scope.QueryString}"), cancellationToken);
        if (Scope.QueryString.Contains("restart=1", StringComparison.Ordinal) && ResumePosition?.Epoch != "e9")
        {
            await SendTextAsync("""{"type":"test.note","text":"positioned","position":"e9:4"}""", cancellationToken);
            await CloseAsync(1012, "restart", cancellationToken);
        }
    }
}
