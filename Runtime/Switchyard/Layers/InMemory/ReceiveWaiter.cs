using System.Threading.Tasks.Sources;

namespace Switchyard;

/// <summary>
/// One receive waiting on an empty <see cref="ChannelQueue"/>. A sender and the cancellation callback race to
/// <see cref="TryClaim"/> it; whoever wins completes it, so a message is either returned or left on the channel,
/// never swallowed by a cancelled receive.
/// </summary>
internal sealed class ReceiveWaiter : IValueTaskSource<ChannelMessage>
{
    private const int Pending = 0;
    private const int Claimed = 1;

    private static readonly Action<object?, CancellationToken> OnCancelled = static (state, token) =>
    {
        var waiter = (ReceiveWaiter)state!;
        if (waiter.TryClaim())
        {
            // The node stays linked until the queue prunes it; the queue skips waiters it cannot claim.
            waiter._core.SetException(new OperationCanceledException(token));
        }
    };

    private readonly ChannelQueue _owner;
    private ManualResetValueTaskSourceCore<ChannelMessage> _core;
    private CancellationTokenRegistration _registration;
    private int _state;
    private bool _completedBySender;

    public ReceiveWaiter(ChannelQueue owner)
    {
        _owner = owner;
        Node = new LinkedListNode<ReceiveWaiter>(this);
        _core.RunContinuationsAsynchronously = true;
    }

    public LinkedListNode<ReceiveWaiter> Node { get; }

    public bool IsPending => Volatile.Read(ref _state) == Pending;

    public short Version => _core.Version;

    /// <summary>Arms the waiter; called under the queue's lock before it is linked.</summary>
    public void Arm(CancellationToken cancellationToken)
    {
        _core.Reset();
        _completedBySender = false;
        Volatile.Write(ref _state, Pending);
        if (cancellationToken.CanBeCanceled)
        {
            // May run OnCancelled synchronously when the token was cancelled a moment ago; the caller checks
            // IsPending before linking the node.
            _registration = cancellationToken.UnsafeRegister(OnCancelled, this);
        }
    }

    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Pending) == Pending;

    /// <summary>Completes a claimed waiter with a message.</summary>
    public void Deliver(ChannelMessage message)
    {
        _completedBySender = true;
        _core.SetResult(message);
    }

    /// <summary>Completes a claimed waiter with an error (the layer closed).</summary>
    public void Fail(Exception exception)
    {
        _completedBySender = true;
        _core.SetException(exception);
    }

    public ChannelMessage GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            _registration = default;

            // A waiter completed by a sender was unlinked under the lock and can be reused; a cancelled one may
            // still be linked and is left to the garbage collector.
            if (_completedBySender)
            {
                _owner.ReturnWaiter(this);
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
