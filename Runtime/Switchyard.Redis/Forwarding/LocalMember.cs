namespace Switchyard.Redis.Forwarding;

/// <summary>
/// One message for one channel of this process, as a Redis layer's delivery (the process inbox loop, the pub/sub
/// subscription) hands it over: the same <see cref="ChannelMessage"/> instance for every member of a group in this
/// process, so a frame made from it is encoded once.
/// </summary>
/// <param name="Message">The message.</param>
/// <param name="ExpiresAtMs">When it expires unread (Unix ms of the layer's clock); 0 on a layer without expiry.</param>
/// <param name="Group">The group it was sent to, or <see langword="null"/> for a send to the channel itself.</param>
/// <param name="SentAtMs">
/// When it was sent (Unix ms of the layer's clock), so a message that reached the process late (it waited in Redis for
/// a receive loop to start) has only what is left of <see cref="ChannelLayerOptions.FullMemberTimeout"/>; 0 when the
/// wait counts from the delivery.
/// </param>
internal readonly record struct MemberDelivery(ChannelMessage Message, long ExpiresAtMs, string? Group, long SentAtMs = 0);

/// <summary>
/// The delivery of one channel in this process on a Redis layer: the forwarder attached to it (the forwarding path,
/// see <see cref="IChannelForwarder"/>) and, behind it, the channel's buffer for its receives. A message is offered to
/// the forwarder first; what the forwarder does not take goes to the buffer.
/// </summary>
/// <remarks>
/// <para>Back-pressure (issue 11): a message that meets the member full — its forwarder answers
/// <see cref="ForwardOutcome.Full"/>, or its buffer is at capacity (group messages only; a send's capacity was checked
/// where it was stored) — waits here, in this member's queue and not in the delivering loop, so the other members of
/// the process and the loop itself go on. Every later message of the member queues behind it, so the member's order is
/// kept. A waiting message is placed as soon as there is room, and no later than
/// <see cref="ChannelLayerOptions.FullMemberTimeout"/> after it was sent (<see cref="MemberDelivery.SentAtMs"/>; else
/// after it reached the process): then it is offered once more
/// without waiting (the forwarder applies its slow-client policy) or, for a full buffer, skipped.
/// <see cref="TimeSpan.Zero"/> never waits.</para>
/// <para>While nothing waits, the deliverer places the message itself (the inbox loop; on the pub/sub layer the reader of
/// the subscription it came by, so a channel and a group on two servers may deliver to one member at once, with no
/// order between them). While something waits, one pump per member places its messages in order and every new one
/// queues behind them.</para>
/// <para>A forwarder that throws is logged and the message takes the normal path (the buffer), as a payload the
/// forwarder cannot read does.</para>
/// </remarks>
internal abstract class LocalMember
{
    private readonly Lock _lock = new();
    private readonly long _timeoutTicks;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;
    private Queue<Waiting>? _waiting;
    private volatile bool _pumping;
    private int _epoch;
    private volatile IChannelForwarder? _forwarder;

    /// <summary>Creates the member.</summary>
    /// <param name="fullMemberTimeout">How long a message may wait for room (<see cref="ChannelLayerOptions.FullMemberTimeout"/>).</param>
    /// <param name="time">The layer's clock, which measures the wait (as the in-memory layer's does).</param>
    /// <param name="stopping">Fires when the layer closes: waiting messages are then dropped, not forced on a client.</param>
    protected LocalMember(TimeSpan fullMemberTimeout, TimeProvider time, CancellationToken stopping)
    {
        _timeoutTicks = (long)(fullMemberTimeout.TotalSeconds * time.TimestampFrequency);
        _time = time;
        _stopping = stopping;
    }

    private enum Placement
    {
        Done,
        ForwarderFull,
        BufferFull,
    }

    /// <summary>Gets or sets the forwarder offered every message first (see <see cref="ChannelLayer.AttachForwarder"/>).</summary>
    public IChannelForwarder? Forwarder
    {
        get => _forwarder;
        set => _forwarder = value;
    }

    /// <summary>Gets whether the member has no forwarder and no message waiting for room, so it may be forgotten when idle.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_lock)
            {
                return _forwarder is null && !_pumping;
            }
        }
    }

    /// <summary>Gets how many messages wait for room.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting?.Count ?? 0;
            }
        }
    }

    /// <summary>Forwards or buffers <paramref name="delivery"/>, or queues it behind the member's waiting messages.</summary>
    /// <param name="delivery">The message.</param>
    public void Deliver(MemberDelivery delivery)
    {
        // Only a deliverer starts the pump, and the pump stops (under the lock) only once it placed everything: a
        // deliverer that sees none running places its message itself, after everything the pump placed.
        var deadline = Deadline(delivery);
        if (_pumping)
        {
            lock (_lock)
            {
                if (_pumping)
                {
                    // Something of this member waits for room: this one goes behind it, keeping the member's order.
                    _waiting!.Enqueue(new Waiting(delivery, deadline));
                    return;
                }
            }
        }

        if (Place(delivery, mayWait: deadline > _time.GetTimestamp()) == Placement.Done)
        {
            return;
        }

        lock (_lock)
        {
            (_waiting ??= new Queue<Waiting>()).Enqueue(new Waiting(delivery, deadline));
            if (_pumping)
            {
                // Another deliverer (a second subscription) started the pump a moment ago.
                return;
            }

            _pumping = true;
        }

        _ = PumpAsync();
    }

    /// <summary>Drops the messages waiting for room (flush, close); the buffer is the caller's.</summary>
    /// <returns>How many were dropped.</returns>
    public int ClearWaiting()
    {
        lock (_lock)
        {
            var count = _waiting?.Count ?? 0;
            _waiting?.Clear();
            _epoch++;
            return count;
        }
    }

    /// <summary>
    /// Called when the forwarder dropped <paramref name="delivery"/> (its policy, or it closed), or took a message that
    /// was sent to the channel itself (not through a group).
    /// </summary>
    /// <param name="delivery">The message.</param>
    /// <param name="dropped">Whether the forwarder dropped it.</param>
    protected abstract void OnForwarded(in MemberDelivery delivery, bool dropped);

    /// <summary>
    /// Puts <paramref name="delivery"/> in the channel's buffer for its receives; when the buffer is full, returns
    /// <see langword="false"/> if <paramref name="mayWait"/> (nothing done), else skips it (counted, logged).
    /// </summary>
    /// <param name="delivery">The message, which the forwarder did not take.</param>
    /// <param name="mayWait">Whether the message may still wait for room.</param>
    /// <returns><see langword="false"/> when the message should wait for room.</returns>
    protected abstract bool TryBuffer(in MemberDelivery delivery, bool mayWait);

    /// <summary>Completes when the buffer has room (a receive took a message), or throws when <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when there is room.</returns>
    protected abstract Task WaitForBufferRoomAsync(CancellationToken cancellationToken);

    /// <summary>Called when the forwarder threw; the message then takes the normal path.</summary>
    /// <param name="error">What it threw.</param>
    protected abstract void OnForwarderFailed(Exception error);

    /// <summary>Called when the pump failed unexpectedly; the waiting messages were dropped.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="dropped">How many messages were dropped.</param>
    protected abstract void OnPumpFailed(Exception error, int dropped);

    // FullMemberTimeout after the message was sent, when the deliverer knows (a message that waited in Redis for the
    // process's receive loop has used that time already), else after now.
    private long Deadline(in MemberDelivery delivery)
    {
        var deadline = _time.GetTimestamp() + _timeoutTicks;
        if (delivery.SentAtMs > 0)
        {
            var ageMs = _time.GetUtcNow().ToUnixTimeMilliseconds() - delivery.SentAtMs;
            if (ageMs > 0)
            {
                deadline -= ageMs * _time.TimestampFrequency / 1000;
            }
        }

        return deadline;
    }

    private Placement Place(in MemberDelivery delivery, bool mayWait)
    {
        if (_forwarder is { } forwarder)
        {
            ForwardOutcome outcome;
            try
            {
                outcome = forwarder.Forward(delivery.Message, mayWait);
            }
            catch (Exception ex)
            {
                OnForwarderFailed(ex);
                outcome = ForwardOutcome.NotForwarded;
            }

            switch (outcome)
            {
                case ForwardOutcome.Forwarded:
                    if (delivery.Group is null)
                    {
                        // A group message forwarded needs nothing more (the common case: no call).
                        OnForwarded(delivery, dropped: false);
                    }

                    return Placement.Done;
                case ForwardOutcome.Dropped:
                    OnForwarded(delivery, dropped: true);
                    return Placement.Done;
                case ForwardOutcome.Full when mayWait:
                    return Placement.ForwarderFull;
            }
        }

        return TryBuffer(delivery, mayWait) ? Placement.Done : Placement.BufferFull;
    }

    // Places the waiting messages in order, each as soon as its member has room and within its own deadline.
    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                Waiting head;
                int epoch;
                lock (_lock)
                {
                    if (_waiting!.Count == 0 || _stopping.IsCancellationRequested)
                    {
                        _waiting.Clear();
                        _pumping = false;
                        return;
                    }

                    head = _waiting.Peek();
                    epoch = _epoch;
                }

                await PlaceWhenRoomAsync(head).ConfigureAwait(false);
                lock (_lock)
                {
                    // A flush in the meantime dropped it (and maybe queued others): never take someone else's.
                    if (epoch == _epoch)
                    {
                        _waiting.Dequeue();
                    }
                }
            }
        }
        catch (Exception ex)
        {
            int dropped;
            lock (_lock)
            {
                dropped = _waiting?.Count ?? 0;
                _waiting?.Clear();
                _pumping = false;
            }

            OnPumpFailed(ex, dropped);
        }
    }

    private async Task PlaceWhenRoomAsync(Waiting head)
    {
        while (true)
        {
            var left = head.DeadlineTicks - _time.GetTimestamp();
            var placement = Place(head.Delivery, mayWait: left > 0);
            if (placement == Placement.Done)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds((double)left / _time.TimestampFrequency), _time);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping, timeout.Token);
            try
            {
                if (placement == Placement.ForwarderFull && _forwarder is { } forwarder)
                {
                    await forwarder.WaitForRoomAsync(deadline.Token).ConfigureAwait(false);
                }
                else if (placement == Placement.BufferFull)
                {
                    await WaitForBufferRoomAsync(deadline.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                if (_stopping.IsCancellationRequested)
                {
                    // Closing: the message is dropped with the layer, not forced on a client as if it were slow.
                    return;
                }

                // Its time is up: the next Place offers it without waiting.
            }
        }
    }

    /// <summary>A message waiting for room, and when it stops waiting (a timestamp of the layer's clock).</summary>
    private readonly record struct Waiting(MemberDelivery Delivery, long DeadlineTicks);
}
