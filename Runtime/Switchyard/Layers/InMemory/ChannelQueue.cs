namespace Switchyard;

/// <summary>
/// One named channel of the in-memory layer: a bounded FIFO of unexpired messages and a FIFO of waiting receives.
/// All state changes happen under one lock; waiters are completed outside it.
/// </summary>
internal sealed class ChannelQueue
{
    private readonly Lock _lock = new();
    private readonly Queue<Entry> _messages = new();
    private readonly LinkedList<ReceiveWaiter> _waiters = new();
    private ReceiveWaiter? _spareWaiter;
    private volatile bool _retired;
    private volatile IChannelForwarder? _forwarder;
    private TaskCompletionSource? _room;
    private long _lastUsed;

    public ChannelQueue(string name, int capacity, long now)
    {
        Name = name;
        Capacity = capacity;
        _lastUsed = now;
    }

    public string Name { get; }

    /// <summary>Gets whether the sweeper or close removed the queue from the layer (read without the lock).</summary>
    public bool IsRetired => _retired;

    public int Capacity { get; }

    /// <summary>Gets or sets the forwarder offered every message before it is queued; a queue with one is never retired as idle.</summary>
    public IChannelForwarder? Forwarder
    {
        get => _forwarder;
        set => _forwarder = value;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>Gets how many receives wait (tests).</summary>
    public int WaitingReceives
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count(w => w.IsPending);
            }
        }
    }

    /// <summary>
    /// Offers the message to the forwarder, then hands it to the first waiting receive, or queues it.
    /// <paramref name="expired"/> returns how many messages expired and were dropped from the head first (the channel
    /// takes this one all the same: it stays a member of its groups). <paramref name="mayWait"/> is passed to the forwarder.
    /// </summary>
    public SendOutcome TrySend(ChannelMessage message, long now, long expiresAt, out int expired, bool mayWait)
    {
        expired = 0;
        if (_forwarder is { } forwarder && !_retired)
        {
            switch (forwarder.Forward(message, mayWait))
            {
                case ForwardOutcome.Forwarded:
                    _lastUsed = now;
                    return SendOutcome.Delivered;
                case ForwardOutcome.Full:
                    return SendOutcome.ForwarderFull;
                case ForwardOutcome.Dropped:
                    return SendOutcome.Dropped;
            }
        }

        ReceiveWaiter? waiter = null;
        lock (_lock)
        {
            expired = 0;
            if (_retired)
            {
                return SendOutcome.Retired;
            }

            expired = DropExpired(now);
            _lastUsed = now;
            while (_waiters.First is { } node)
            {
                _waiters.RemoveFirst();
                if (node.Value.TryClaim())
                {
                    waiter = node.Value;
                    break;
                }
            }

            if (waiter is null)
            {
                if (_messages.Count >= Capacity)
                {
                    return SendOutcome.Full;
                }

                _messages.Enqueue(new Entry(message, expiresAt));
                return SendOutcome.Queued;
            }
        }

        waiter.Deliver(message);
        return SendOutcome.Delivered;
    }

    /// <summary>Takes the first message or registers a waiting receive. Returns false when the queue was retired.</summary>
    public bool TryReceive(long now, CancellationToken cancellationToken, out ValueTask<ChannelMessage> result, out int expired)
    {
        TaskCompletionSource? room = null;
        try
        {
            return TryReceiveLocked(now, cancellationToken, out result, out expired, ref room);
        }
        finally
        {
            room?.TrySetResult();
        }
    }

    /// <summary>
    /// Completes when the queue has room below its capacity (or is retired): a group send waits here, bounded, for a
    /// member whose consumer is behind.
    /// </summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_retired || _messages.Count < Capacity)
            {
                return Task.CompletedTask;
            }

            return (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken);
        }
    }

    private bool TryReceiveLocked(long now, CancellationToken cancellationToken, out ValueTask<ChannelMessage> result, out int expired, ref TaskCompletionSource? room)
    {
        lock (_lock)
        {
            expired = 0;
            if (_retired)
            {
                result = default;
                return false;
            }

            expired = DropExpired(now);
            _lastUsed = now;

            // A receive whose token is already cancelled fails without taking a message, even when one is queued.
            if (cancellationToken.IsCancellationRequested)
            {
                result = ValueTask.FromCanceled<ChannelMessage>(cancellationToken);
                return true;
            }

            if (_messages.TryDequeue(out var entry))
            {
                result = new ValueTask<ChannelMessage>(entry.Message);
                room = TakeRoomWaiter();
                return true;
            }

            PruneAbandonedWaiters();
            var waiter = Interlocked.Exchange(ref _spareWaiter, null) ?? new ReceiveWaiter(this);
            waiter.Arm(cancellationToken);
            if (waiter.IsPending)
            {
                _waiters.AddLast(waiter.Node);
            }

            result = new ValueTask<ChannelMessage>(waiter, waiter.Version);
            return true;
        }
    }

    /// <summary>Drops expired messages; retires the queue when it is empty, unwatched and idle since <paramref name="idleSince"/>.</summary>
    /// <returns>How many messages expired, and whether the queue is now retired.</returns>
    public (int Expired, bool Retired) Sweep(long now, long idleSince)
    {
        TaskCompletionSource? room;
        (int, bool) result;
        lock (_lock)
        {
            var expired = DropExpired(now);
            PruneAbandonedWaiters();
            if (_messages.Count == 0 && _waiters.Count == 0 && _forwarder is null && _lastUsed <= idleSince)
            {
                _retired = true;
            }

            room = TakeRoomWaiter();
            result = (expired, _retired);
        }

        room?.TrySetResult();
        return result;
    }

    /// <summary>Retires the queue if it holds no message, no waiting receive and no forwarder (its receiver has stopped).</summary>
    /// <returns>Whether the queue is now retired.</returns>
    public bool TryRetireEmpty()
    {
        lock (_lock)
        {
            PruneAbandonedWaiters();
            if (_messages.Count == 0 && _waiters.Count == 0 && _forwarder is null && _room is null)
            {
                _retired = true;
            }

            return _retired;
        }
    }

    /// <summary>Drops every message; waiting receives keep waiting.</summary>
    public void Clear()
    {
        TaskCompletionSource? room;
        lock (_lock)
        {
            _messages.Clear();
            room = TakeRoomWaiter();
        }

        room?.TrySetResult();
    }

    /// <summary>Retires the queue and fails every waiting receive with <paramref name="error"/>.</summary>
    /// <returns>How many receives were waiting.</returns>
    public int Close(Exception error)
    {
        List<ReceiveWaiter> waiting = [];
        TaskCompletionSource? room;
        lock (_lock)
        {
            _retired = true;
            _messages.Clear();
            room = TakeRoomWaiter();
            while (_waiters.First is { } node)
            {
                _waiters.RemoveFirst();
                if (node.Value.TryClaim())
                {
                    waiting.Add(node.Value);
                }
            }
        }

        room?.TrySetResult();
        foreach (var waiter in waiting)
        {
            waiter.Fail(error);
        }

        return waiting.Count;
    }

    public void ReturnWaiter(ReceiveWaiter waiter) => Interlocked.CompareExchange(ref _spareWaiter, waiter, null);

    // Under the lock: the group send waiting for room, once there is room (or the queue is retired).
    private TaskCompletionSource? TakeRoomWaiter()
    {
        if (_room is null || (!_retired && _messages.Count >= Capacity))
        {
            return null;
        }

        var room = _room;
        _room = null;
        return room;
    }

    private int DropExpired(long now)
    {
        var expired = 0;
        while (_messages.TryPeek(out var head) && head.ExpiresAt <= now)
        {
            _messages.Dequeue();
            expired++;
        }

        return expired;
    }

    private void PruneAbandonedWaiters()
    {
        var node = _waiters.First;
        while (node is not null)
        {
            var next = node.Next;
            if (!node.Value.IsPending)
            {
                _waiters.Remove(node);
            }

            node = next;
        }
    }

    private readonly record struct Entry(ChannelMessage Message, long ExpiresAt);
}

/// <summary>What <see cref="ChannelQueue.TrySend"/> did with a message.</summary>
internal enum SendOutcome
{
    /// <summary>Handed straight to a waiting receive.</summary>
    Delivered,

    /// <summary>Queued for a later receive.</summary>
    Queued,

    /// <summary>Refused: the channel holds its capacity.</summary>
    Full,

    /// <summary>The queue was retired by the sweeper; look it up again.</summary>
    Retired,

    /// <summary>The channel's forwarder is full and the sender may wait for room (nothing was done).</summary>
    ForwarderFull,

    /// <summary>The channel's forwarder dropped the message (its connection closed, or its client too slow).</summary>
    Dropped,
}
