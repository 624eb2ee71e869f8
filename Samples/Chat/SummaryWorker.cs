using System.Text;

namespace Switchyard.Samples.Chat;

/// <summary>
/// Answers <c>GET /rooms/{room}/summary</c>, an offloaded route: the interface server puts the request on the named
/// channel <c>chat.summary</c>, and whichever worker process takes it answers on the request's reply channel.
/// </summary>
[ChannelConsumer(Channel)]
public sealed partial class SummaryWorker : ChannelConsumer
{
    public const string Channel = "chat.summary";

    public async ValueTask Handle(HttpRequestEvent request, CancellationToken cancellationToken)
    {
        var room = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries) is [_, var name, ..] ? name : "?";
        var body = Encoding.UTF8.GetBytes($"room {room}: summarised by worker process {Environment.ProcessId}\n");
        await SendToChannelAsync(request.ReplyChannel, new HttpResponseStart(200, [new("content-type", "text/plain; charset=utf-8")]), cancellationToken);
        await SendToChannelAsync(request.ReplyChannel, new HttpResponseBody(body, MoreBody: false), cancellationToken);
    }
}
