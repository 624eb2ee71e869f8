using Switchyard.Client.TestMessages;

namespace Switchyard.Client.Tests.Consumers;

/// <summary>
/// <c>/ws/client/feed/{name}/?since=epoch:offset</c>: joins <c>feed.{name}</c> (a group with a history) from the
/// client's last position (<see cref="WebSocketConsumer.ResumePosition"/>, the <c>since</c> the client adds): what the client missed first, then a <see cref="Joined"/>
/// notice, then live notes, each note's frame ending with its position. Closes with the code it is asked for.
/// </summary>
[WebSocketConsumer("/ws/client/feed/{name}/")]
public sealed partial class FeedConsumer : JsonWebSocketConsumer
{
    protected override async ValueTask OnConnectAsync(CancellationToken cancellationToken)
    {
        await AcceptAsync(cancellationToken: cancellationToken);
        var resume = await JoinGroupAsync($"feed.{Route["name"]}", ResumePosition, cancellationToken);
        await SendAsync(new Joined(resume.Replayed, resume.Loss.ToString()), cancellationToken);
    }

    public ValueTask Handle(Note note, CancellationToken cancellationToken) => SendAsync(note, cancellationToken);

    [FromClient]
    public ValueTask Handle(CloseMe close, CancellationToken cancellationToken) => CloseAsync(close.Code, close.Reason, cancellationToken);
}
