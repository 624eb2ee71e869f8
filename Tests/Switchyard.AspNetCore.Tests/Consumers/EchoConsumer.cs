namespace Switchyard.AspNetCore.Tests.Consumers;

/// <summary>A raw WebSocket consumer: echoes text and bytes, closes on "close:CODE", throws on "throw", reports lifecycle events.</summary>
[WebSocketConsumer("/ws/echo/")]
public sealed partial class EchoConsumer(Support.ConsumerEvents events) : WebSocketConsumer
{
    protected override ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        events.Add($"connected:{ChannelName}");
        return AcceptAsync(cancellationToken: cancellationToken);
    }

    protected override async ValueTask OnReceiveAsync(WebSocketMessage message, CancellationToken cancellationToken)
    {
        if (!message.IsText)
        {
            await SendBytesAsync(message.Data, cancellationToken);
            return;
        }

        var text = message.GetText();
        if (text.StartsWith("close:", StringComparison.Ordinal))
        {
            await CloseAsync(int.Parse(text["close:".Length..], System.Globalization.CultureInfo.InvariantCulture), "closed by consumer", cancellationToken);
            return;
        }

        if (text == "throw")
        {
            throw new InvalidOperationException("the echo consumer was asked to fail");
        }

        if (text == "stop")
        {
            StopConsumer();
            return;
        }

        await SendTextAsync(text, cancellationToken);
    }

    protected override ValueTask OnDisconnectAsync(int closeCode, CancellationToken cancellationToken)
    {
        events.Add($"disconnect:{closeCode}");
        return default;
    }
}
