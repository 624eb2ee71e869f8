using System.Globalization;

namespace Switchyard.AspNetCore.Tests.Consumers;

/// <summary>
/// Passes each "chat.say" on to the named channel <see cref="Sink"/>, which nothing reads: once that holds its capacity,
/// the handler's send throws <see cref="ChannelFullException"/>. "chat.flood" is answered at once ("alive"), to show the
/// connection is still served. With <c>?tell</c> the client is told of a refused line ("full").
/// </summary>
[WebSocketConsumer("/ws/full/")]
public sealed partial class FullChannelConsumer(Support.ConsumerEvents events) : JsonWebSocketConsumer
{
    public const string Sink = "test.sink";

    [FromClient]
    public async ValueTask Handle(Say say, CancellationToken cancellationToken) =>
        await SendToChannelAsync(Sink, say, cancellationToken);

    [FromClient]
    public ValueTask Handle(Flood flood, CancellationToken cancellationToken) =>
        SendAsync(new ChatMessage("alive", flood.Count.ToString(CultureInfo.InvariantCulture)), cancellationToken);

    protected override ValueTask OnChannelFullAsync(ChannelFullException exception, CancellationToken cancellationToken) =>
        Scope.QueryString.Contains("tell", StringComparison.Ordinal)
            ? SendAsync(new ChatMessage("full", exception.Channel), cancellationToken)
            : base.OnChannelFullAsync(exception, cancellationToken);

    protected override ValueTask OnDisconnectAsync(int closeCode, CancellationToken cancellationToken)
    {
        events.Add($"full-disconnect:{closeCode}");
        return default;
    }
}
