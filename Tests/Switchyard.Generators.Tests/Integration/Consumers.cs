using System.Collections.Concurrent;

namespace Switchyard.Generators.Tests.Integration;

public interface IGreeter
{
    string Greet(string user);
}

public sealed class Greeter : IGreeter
{
    public string Greet(string user) => "hello " + user;
}

[Message("test.ping")]
public sealed partial record Ping(int Sequence, string ReplyTo);

[Message("test.pong")]
public sealed partial record Pong(int Sequence, string Greeting);

/// <summary>A worker: answers each ping on the ping's reply channel; a Task-returning handler without a token.</summary>
[ChannelConsumer("test.pings")]
public sealed partial class PingWorker(IGreeter greeter) : ChannelConsumer
{
    public Task Handle(Ping ping) =>
        SendToChannelAsync(ping.ReplyTo, new Pong(ping.Sequence, greeter.Greet("worker"))).AsTask();
}

/// <summary>A room member: joins its room's group from the route and records what it hears.</summary>
[WebSocketConsumer("/ws/test/{room}/")]
[JoinGroup("test.room.{room}")]
[JoinGroup("test.everyone")]
public sealed partial class RoomConsumer : Consumer
{
    public ConcurrentQueue<ChatLine> Heard { get; } = new();

    public SemaphoreSlim HeardSignal { get; } = new(0);

    /// <summary>Completes when the consumer has started; its [JoinGroup] groups are joined before that.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        Started.TrySetResult();
        return default;
    }

    [Handler]
    public ValueTask OnLine(ChatLine line, CancellationToken cancellationToken)
    {
        Heard.Enqueue(line);
        HeardSignal.Release();
        return default;
    }
}

/// <summary>A JSON WebSocket consumer with one client handler and one channel-layer handler for the same type.</summary>
[WebSocketConsumer("/ws/json/{room}/")]
public sealed partial class JsonRoomConsumer : JsonWebSocketConsumer
{
    public ConcurrentQueue<string> Heard { get; } = new();

    [FromClient]
    public ValueTask OnClientLine(ChatLine line)
    {
        Heard.Enqueue("client:" + line.Text);
        return default;
    }

    [FromLayer]
    public ValueTask OnLayerLine(ChatLine line)
    {
        Heard.Enqueue("layer:" + line.Text);
        return default;
    }

    public ValueTask Handle(Ping ping) => SendAsync(ping);
}

/// <summary>A synchronous handler, marked to run off the event path.</summary>
[Consumer]
public sealed partial class BlockingConsumer : Consumer
{
    public int? HandledOnThread { get; private set; }

    [SyncHandler]
    public void Handle(Ping ping, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        HandledOnThread = Environment.CurrentManagedThreadId;
    }
}
