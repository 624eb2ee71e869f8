namespace Switchyard.LoadBench.Servers.Switchyard;

/// <summary>The benchmark's echo message: a sequence number, the client's send timestamp and padding.</summary>
[Message("bench.echo")]
public sealed partial record BenchEcho(long Seq, long Ts, string Pad);

/// <summary>The benchmark's broadcast message.</summary>
[Message("bench.tick")]
public sealed partial record BenchTick(long Seq, long Ts, string Pad);

/// <summary>/echo: every message comes back.</summary>
[WebSocketConsumer("/echo")]
public sealed partial class EchoConsumer : JsonWebSocketConsumer
{
    [FromClient]
    public ValueTask Handle(BenchEcho message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);
}

/// <summary>/fanout: a member of the one broadcast group; a tick is only forwarded to the client.</summary>
[WebSocketConsumer("/fanout")]
[JoinGroup("bench.fanout")]
public sealed partial class SubscriberConsumer : JsonWebSocketConsumer
{
    [FromLayer]
    public ValueTask Handle(BenchTick tick, CancellationToken cancellationToken) => SendAsync(tick, cancellationToken);
}

/// <summary>/publish: every tick the client sends goes to the whole group.</summary>
[WebSocketConsumer("/publish")]
public sealed partial class PublisherConsumer : JsonWebSocketConsumer
{
    [FromClient]
    public async ValueTask Handle(BenchTick tick, CancellationToken cancellationToken) =>
        await GroupSendAsync("bench.fanout", tick, cancellationToken);
}
