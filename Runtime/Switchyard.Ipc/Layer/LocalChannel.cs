using System.Collections.Concurrent;

namespace Switchyard.Ipc.Layer;

/// <summary>
/// A channel as this process sees it while something here waits on it: the receives waiting (this process is marked
/// as waiting on the channel in the segment while there are any, or a forwarder), the signal that wakes them, and the
/// forwarder attached, with the messages its pump took from the segment that the forwarder did not take (they go to
/// the channel's receives here).
/// </summary>
internal sealed class LocalChannel(string name)
{
    private readonly Lock _signalLock = new();
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pumpRequests;
    private int _stale;

    public string Name { get; } = name;

    /// <summary>Guards <see cref="Receivers"/>, <see cref="Forwarder"/> and the segment's waiting mark for this process.</summary>
    public Lock Lock { get; } = new();

    public int Receivers { get; set; }

    /// <summary>
    /// Gets or sets whether this process is marked as waiting on the channel in the segment and no ring has come
    /// since a look found it empty (under <see cref="Lock"/>). While it is, every message queued on the channel rings
    /// this process, so a receive waits for the ring instead of looking: the segment has nothing for it that a ring
    /// did not announce. A ring that is not fetched for the channel, a flush and a lost ring make it look again
    /// (<see cref="Stale"/>).
    /// </summary>
    public bool Marked { get; set; }

    /// <summary>Gets whether the channel was dropped from the process's channels (idle): a receive that holds it takes the new one.</summary>
    public bool Removed { get; set; }

    /// <summary>Makes the next receive look in the segment (a ring announced messages that were not fetched here).</summary>
    public void Stale()
    {
        // Read by a receive under the lock, after it took the signal; the Notify that follows wakes it if it missed this.
        Volatile.Write(ref _stale, 1);
    }

    /// <summary>Whether a receive must look in the segment, clearing the request (under <see cref="Lock"/>, before looking).</summary>
    public bool TakeStale() => Interlocked.Exchange(ref _stale, 0) != 0 || !Marked;

    /// <summary>When (<see cref="Environment.TickCount64"/>) the last receive here ended.</summary>
    public long IdleSince { get; set; } = Environment.TickCount64;

    public IChannelForwarder? Forwarder { get; set; }

    /// <summary>Messages the forwarder did not take, for the channel's receives here.</summary>
    public ConcurrentQueue<ChannelMessage> Buffered { get; } = new();

    /// <summary>Gets the task the next <see cref="Notify"/> completes.</summary>
    public Task Signal
    {
        get
        {
            lock (_signalLock)
            {
                return _signal.Task;
            }
        }
    }

    /// <summary>Wakes every receive waiting on the channel here (each looks again).</summary>
    public void Notify()
    {
        TaskCompletionSource signal;
        lock (_signalLock)
        {
            signal = _signal;
            _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }

    /// <summary>Asks for the forwarder's pump to run; true when the caller must start it (none is running).</summary>
    public bool RequestPump() => Interlocked.Increment(ref _pumpRequests) == 1;

    /// <summary>The pump has handled <paramref name="requests"/>; true when more came meanwhile and it must go on.</summary>
    public bool PumpDone(int requests) => Interlocked.Add(ref _pumpRequests, -requests) != 0;

    /// <summary>Gets the requests the pump has now.</summary>
    public int PumpRequests => Volatile.Read(ref _pumpRequests);
}
