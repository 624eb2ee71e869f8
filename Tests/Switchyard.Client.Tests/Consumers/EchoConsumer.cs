using System.Globalization;
using Switchyard.Client.TestMessages;

namespace Switchyard.Client.Tests.Consumers;

/// <summary>
/// <c>/ws/client/echo/</c>: echoes lines, closes with the code it is asked for, sends batch frames and frames with
/// positions (duplicates included) written by hand, takes <see cref="Strict"/> messages.
/// </summary>
[WebSocketConsumer("/ws/client/echo/")]
public sealed partial class EchoConsumer : JsonWebSocketConsumer
{
    [FromClient]
    public ValueTask Handle(Line line, CancellationToken cancellationToken) =>
        SendAsync(new Echoed(line.Text, line.Text.Length), cancellationToken);

    [FromClient]
    public ValueTask Handle(CloseMe close, CancellationToken cancellationToken) => CloseAsync(close.Code, close.Reason, cancellationToken);

    [FromClient]
    public ValueTask Handle(Strict strict, CancellationToken cancellationToken) => SendAsync(new Echoed(strict.Text, strict.Text.Length), cancellationToken);

    // One frame: "note 1\n\nnote 2\n...\n" — empty parts included, which the client ignores.
    [FromClient]
    public ValueTask Handle(BatchMe batch, CancellationToken cancellationToken)
    {
        var frame = string.Concat(Enumerable.Range(1, batch.Count).Select(i => $"{{\"type\":\"test.note\",\"text\":\"b{i}\"}}\n" + (i % 2 == 0 ? "\n" : string.Empty)));
        return SendTextAsync(frame, cancellationToken);
    }

    // Frames of a group with a history, as the forwarding path writes them, with duplicates and one from before.
    [FromClient]
    public async ValueTask Handle(SendPositions positions, CancellationToken cancellationToken)
    {
        foreach (var (text, offset) in new[] { ("p1", 1), ("p2", 2), ("p2 again", 2), ("p1 again", 1), ("p3", 3), ("p3 again", 3) })
        {
            await SendTextAsync(string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"test.note\",\"text\":\"{text}\",\"position\":\"{positions.Epoch}:{offset}\"}}"), cancellationToken);
        }

        await SendAsync(new Note("end"), cancellationToken);
    }
}
