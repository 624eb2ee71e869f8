using System.Globalization;
using System.Text;

namespace Switchyard.AspNetCore.Tests.Consumers;

/// <summary>
/// A raw consumer that can send a lot: "flood:COUNT:SIZE" queues COUNT text messages of SIZE bytes, each starting with
/// its index and a colon; any other text is echoed. Reports "firehose-connected:CHANNEL" and "firehose-disconnect:CODE".
/// </summary>
[WebSocketConsumer("/ws/firehose/")]
public sealed partial class FirehoseConsumer(Support.ConsumerEvents events) : WebSocketConsumer
{
    protected override ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        events.Add($"firehose-connected:{ChannelName}");
        return AcceptAsync(cancellationToken: cancellationToken);
    }

    protected override async ValueTask OnReceiveAsync(WebSocketMessage message, CancellationToken cancellationToken)
    {
        var text = message.GetText();
        if (!text.StartsWith("flood:", StringComparison.Ordinal))
        {
            await SendTextAsync(text, cancellationToken);
            return;
        }

        var parts = text.Split(':');
        var count = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var payload = new byte[int.Parse(parts[2], CultureInfo.InvariantCulture)];
        Array.Fill(payload, (byte)'x');
        for (var i = 0; i < count; i++)
        {
            var prefix = Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture) + ":");
            prefix.CopyTo(payload, 0);
            await SendTextAsync(payload, cancellationToken);
        }
    }

    protected override ValueTask OnDisconnectAsync(int closeCode, CancellationToken cancellationToken)
    {
        events.Add($"firehose-disconnect:{closeCode}");
        return default;
    }
}
