namespace Switchyard.LoadBench.Servers.Switchyard;

/// <summary>
/// The JSON relay, as a new user writes it from the docs: a client that connects to <c>/ws/json/{name}/</c> is a
/// member of group <c>j.{name}</c>; every <c>bench.tick</c> a member sends goes to every member, the sender included.
/// One handler takes the type from the client, the other the same type from the group (the layer).
/// </summary>
[WebSocketConsumer("/ws/json/{name}/")]
[JoinGroup("j.{name}")]
public sealed partial class JsonGroupConsumer : JsonWebSocketConsumer
{
    [FromClient]
    public async ValueTask Handle(BenchTick t, CancellationToken ct) => await GroupSendAsync($"j.{Route["name"]}", t, ct);

    [FromLayer, Handler]
    public ValueTask Forward(BenchTick t, CancellationToken ct) => SendAsync(t, ct);
}
