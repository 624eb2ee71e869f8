namespace Switchyard.Server;

/// <summary>
/// The connection's time limits: one tick per connection (or one shared heartbeat) pings an idle client and checks
/// the ping, send and message timeouts.
/// </summary>
internal sealed partial class WebSocketConnection
{
    private void StartKeepAlive()
    {
        if (KeepAliveTick(_options) is not { } tick)
        {
            return;
        }

        lock (_timerLock)
        {
            if (_clock.IsSystem)
            {
                _heartbeat = KeepAliveHeartbeat.For(tick);
                _heartbeat.Add(this);
            }
            else
            {
                _keepAlive = _time.CreateTimer(static s => ((WebSocketConnection)s!).OnKeepAliveTick(), this, tick, tick);
            }
        }
    }

    // Half the shortest time limit (so a limit is noticed within 1.5 times itself), or null when every limit is off.
    private static TimeSpan? KeepAliveTick(SwitchyardWebSocketOptions options)
    {
        var shortest = long.MaxValue;
        if (options.PingInterval != Timeout.InfiniteTimeSpan)
        {
            shortest = Math.Min(options.PingInterval.Ticks, options.PingTimeout.Ticks);
        }

        if (options.SendTimeout != Timeout.InfiniteTimeSpan)
        {
            shortest = Math.Min(shortest, options.SendTimeout.Ticks);
        }

        if (options.MessageTimeout != Timeout.InfiniteTimeSpan)
        {
            shortest = Math.Min(shortest, options.MessageTimeout.Ticks);
        }

        return shortest == long.MaxValue ? null : TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, shortest / 2));
    }

    // One tick checks every time limit of the connection: no timer per frame, per message or per limit.
    internal void OnKeepAliveTick()
    {
        var now = _clock.Now();
        CheckSendTimeout(now);
        CheckMessageTimeout(now);
        if (_options.PingInterval != Timeout.InfiniteTimeSpan)
        {
            CheckPing(now);
        }
    }

    private void CheckPing(long now)
    {
        var lastReceived = Volatile.Read(ref _lastReceived);
        var pingSent = Volatile.Read(ref _pingSent);
        if (pingSent != 0 && lastReceived < pingSent)
        {
            if (_clock.Elapsed(pingSent, now) >= _options.PingTimeout && !_pingTimedOut)
            {
                _pingTimedOut = true;
                WebSocketLog.PingTimeout(_logger, Scope.Path, Scope.ChannelName, _options.PingTimeout);
                AbortRead();
            }

            return;
        }

        if (_clock.Elapsed(lastReceived, now) >= _options.PingInterval && Volatile.Read(ref _closeSent) == 0)
        {
            Volatile.Write(ref _pingSent, now);
            _sendQueue.SendControl(WebSocketOpcode.Ping, ReadOnlyMemory<byte>.Empty, writeInline: false);
        }
    }

    // A frame that has waited longer than SendTimeout for the socket to take it: the client does not read (issue 12,
    // row 5). A flush into Kestrel waits only once its buffers and the kernel's are full, so a stuck flush is the signal,
    // long before a queue of SendQueueCapacity small messages fills.
    private void CheckSendTimeout(long now)
    {
        if (_options.SendTimeout == Timeout.InfiniteTimeSpan || Volatile.Read(ref _closeSent) != 0)
        {
            return;
        }

        var oldest = _sendQueue.OldestUnflushed;
        if (oldest == WebSocketClock.None || _clock.Elapsed(oldest, now) < _options.SendTimeout)
        {
            return;
        }

        if (_options.SlowClientMode == SlowClientMode.Close)
        {
            WebSocketLog.SendTimeout(_logger, Scope.Path, Scope.ChannelName, _options.SendTimeout, "closing it with 1008 and dropping what it had not read");
            StartClose(WebSocketCloseCodes.PolicyViolation, "slow client", discardPending: true);
            return;
        }

        var dropped = _sendQueue.DropWaiting(now, _options.SendTimeout);
        if (dropped > 0)
        {
            _metrics.Dropped(WebSocketMetrics.ReasonSlowClient, dropped);
            if (!_slowClientLogged)
            {
                _slowClientLogged = true;
                WebSocketLog.SendTimeout(_logger, Scope.Path, Scope.ChannelName, _options.SendTimeout, "dropping each message that waits that long until it catches up (logged once, counted each time)");
            }
        }
    }

    // A message begun and not finished within MessageTimeout: a frame trickled a byte at a time (issue 12, row 6).
    private void CheckMessageTimeout(long now)
    {
        if (_options.MessageTimeout == Timeout.InfiniteTimeSpan || Volatile.Read(ref _receiveFailCode) != 0)
        {
            return;
        }

        var started = Volatile.Read(ref _messageStarted);
        if (started == WebSocketClock.None || _clock.Elapsed(started, now) < _options.MessageTimeout)
        {
            return;
        }

        // The receive loop closes the connection: it wakes from its read and finds the code.
        _receiveFailReason = $"a message not completed within {_options.MessageTimeout}";
        Volatile.Write(ref _receiveFailCode, WebSocketCloseCodes.PolicyViolation);
        try
        {
            _input?.CancelPendingRead();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The connection already finished reading.
        }
    }
}
