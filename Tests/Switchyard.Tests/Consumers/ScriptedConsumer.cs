using System.Collections.Concurrent;
using System.Threading.Channels;
using Switchyard.Tests.Support;

namespace Switchyard.Tests.Consumers;

/// <summary>
/// A consumer whose dispatcher is written by hand the way the generator writes it (a switch on the type), and
/// whose handler behaviour each test scripts.
/// </summary>
internal class ScriptedConsumer : Consumer, IConsumerDispatcher
{
    public Func<TestMessage, CancellationToken, ValueTask> OnMessage { get; init; } = static (_, _) => default;

    public Func<ScriptedConsumer, CancellationToken, ValueTask> OnStart { get; init; } = static (_, _) => default;

    public ConcurrentQueue<TestMessage> Handled { get; } = new();

    public ConcurrentQueue<string> Unhandled { get; } = new();

    private readonly SemaphoreSlim _handledSignal = new(0);

    public TaskCompletionSource<ConsumerStopReason> Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when <see cref="OnStartedAsync"/> has returned: group joins made there are in place.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<string> GroupsAtStop { get; private set; } = [];

    /// <summary>How many messages had been handled when <see cref="OnStoppedAsync"/> ran.</summary>
    public int HandledAtStop { get; private set; } = -1;

    /// <summary>What the consumer heard of its layer's connection, in order ("disconnected: ...", "reconnected").</summary>
    public Channel<string> LayerEvents { get; } = Channel.CreateUnbounded<string>();

    bool IConsumerDispatcher.TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
    {
        switch (message.Type)
        {
            case "test.message":
                handling = Handle(message.Read<TestMessage>(), cancellationToken);
                return true;
            default:
                handling = default;
                return false;
        }
    }

    public ValueTask Join(string group, CancellationToken cancellationToken) => JoinGroupAsync(group, cancellationToken);

    public ValueTask Leave(string group, CancellationToken cancellationToken) => LeaveGroupAsync(group, cancellationToken);

    public ValueTask Reply<T>(string channel, T message, CancellationToken cancellationToken)
        where T : IChannelMessage<T> => SendToChannelAsync(channel, message, cancellationToken);

    /// <summary>Waits, with a timeout, until at least <paramref name="count"/> messages were handled.</summary>
    public async Task WaitForHandledAsync(int count, TimeSpan timeout)
    {
        while (Handled.Count < count)
        {
            if (!await _handledSignal.WaitAsync(timeout))
            {
                throw new TimeoutException($"Only {Handled.Count} of {count} message(s) were handled within {timeout}.");
            }
        }
    }

    protected internal override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        await OnStart(this, cancellationToken);
        Started.TrySetResult();
    }

    protected internal override ValueTask OnUnhandledMessageAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        Unhandled.Enqueue(message.Type);
        return default;
    }

    protected internal override ValueTask OnLayerDisconnectedAsync(Exception? error, CancellationToken cancellationToken)
    {
        LayerEvents.Writer.TryWrite($"disconnected: {error?.Message}");
        return default;
    }

    protected internal override ValueTask OnLayerReconnectedAsync(CancellationToken cancellationToken)
    {
        LayerEvents.Writer.TryWrite("reconnected");
        return default;
    }

    protected internal override ValueTask OnStoppedAsync(ConsumerStopReason reason, CancellationToken cancellationToken)
    {
        GroupsAtStop = Groups.ToArray();
        HandledAtStop = Handled.Count;
        Stopped.TrySetResult(reason);
        return default;
    }

    private async ValueTask Handle(TestMessage message, CancellationToken cancellationToken)
    {
        await OnMessage(message, cancellationToken);
        Handled.Enqueue(message);
        _handledSignal.Release();
    }
}

/// <summary>A consumer the generator never saw: it has no dispatcher.</summary>
internal sealed class ConsumerWithoutDispatcher : Consumer
{
}
