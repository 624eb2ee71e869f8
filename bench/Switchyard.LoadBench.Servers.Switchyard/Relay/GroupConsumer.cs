namespace Switchyard.LoadBench.Servers.Switchyard;

/// <summary>The raw relay's message: the text of one client frame, as it travels through the channel layer.</summary>
[Message("bench.frame")]
public sealed partial record Frame(string Text);

/// <summary>
/// The raw relay, as a new user writes it from the docs: a client that connects to <c>/ws/group/{name}/</c> is a
/// member of group <c>g.{name}</c>; every text frame a member sends goes to every member, the sender included.
/// </summary>
[WebSocketConsumer("/ws/group/{name}/")]
[JoinGroup("g.{name}")]
public sealed partial class GroupConsumer : WebSocketConsumer
{
    protected override async ValueTask OnReceiveAsync(WebSocketMessage m, CancellationToken ct) =>
        await GroupSendAsync($"g.{Route["name"]}", new Frame(m.GetText()), ct);

    public ValueTask Handle(Frame f, CancellationToken ct) => SendTextAsync(f.Text, ct);
}
