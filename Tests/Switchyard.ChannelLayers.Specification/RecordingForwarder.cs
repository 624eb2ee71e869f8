using System.Diagnostics;
using System.Text;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>
/// A forwarder for tests (see <see cref="IChannelForwarder"/>): it takes the messages <see cref="Takes"/> accepts, makes
/// their frame through a <see cref="FrameCounter"/> (so a test can count encodes), records what it forwarded and what
/// it dropped in order, and can be made full: then an offer that may wait is answered <see cref="ForwardOutcome.Full"/>
/// and one that may not is dropped, as a WebSocket connection whose send queue is full does.
/// </summary>
public sealed class RecordingForwarder : IChannelForwarder
{
    private readonly Lock _lock = new();
    private readonly List<string> _forwarded = [];
    private readonly List<string> _dropped = [];
    private readonly Dictionary<string, long> _droppedAt = new(StringComparer.Ordinal);
    private readonly FrameCounter _frames;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _room = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _full;
    private int _fullAnswers;
    private int _roomWaitsStarted;
    private int _offersWithoutWait;

    /// <summary>Creates the forwarder.</summary>
    /// <param name="frames">Makes the frames; shared by forwarders that should share them. A new one when <see langword="null"/>.</param>
    /// <param name="full">Whether it starts full.</param>
    public RecordingForwarder(FrameCounter? frames = null, bool full = false)
    {
        _frames = frames ?? new FrameCounter();
        _full = full;
    }

    /// <summary>Gets or sets which messages it forwards; the others take the normal path. Default: all.</summary>
    public Func<ChannelMessage, bool> Takes { get; set; } = static _ => true;

    /// <summary>Gets the texts it forwarded, in order.</summary>
    public IReadOnlyList<string> Forwarded => Snapshot(_forwarded);

    /// <summary>Gets the texts it dropped (offered without waiting while full), in order.</summary>
    public IReadOnlyList<string> Dropped => Snapshot(_dropped);

    /// <summary>Gets how many offers it answered <see cref="ForwardOutcome.Full"/>.</summary>
    public int FullAnswers
    {
        get
        {
            lock (_lock)
            {
                return _fullAnswers;
            }
        }
    }

    /// <summary>Gets how many offers of messages it takes came with <c>mayWait: false</c>.</summary>
    public int OffersWithoutWait
    {
        get
        {
            lock (_lock)
            {
                return _offersWithoutWait;
            }
        }
    }

    /// <inheritdoc />
    public ForwardOutcome Forward(ChannelMessage message, bool mayWait)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Takes(message))
        {
            return ForwardOutcome.NotForwarded;
        }

        var text = Encoding.UTF8.GetString(_frames.Frame(message));
        lock (_lock)
        {
            _offersWithoutWait += mayWait ? 0 : 1;
            if (_full && mayWait)
            {
                _fullAnswers++;
                Changed();
                return ForwardOutcome.Full;
            }

            if (_full)
            {
                _dropped.Add(text);
                _droppedAt.TryAdd(text, Stopwatch.GetTimestamp());
                Changed();
                return ForwardOutcome.Dropped;
            }

            _forwarded.Add(text);
            Changed();
            return ForwardOutcome.Forwarded;
        }
    }

    /// <inheritdoc />
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        Task room;
        lock (_lock)
        {
            if (!_full)
            {
                return default;
            }

            _roomWaitsStarted++;
            Changed();
            room = _room.Task;
        }

        return new ValueTask(room.WaitAsync(cancellationToken));
    }

    /// <summary>Ends the full state: the layer's wait for room completes.</summary>
    public void MakeRoom()
    {
        TaskCompletionSource room;
        lock (_lock)
        {
            _full = false;
            room = _room;
            _room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        room.TrySetResult();
    }

    /// <summary>Returns how long after its first <see cref="ForwardOutcome.Full"/> answer <paramref name="text"/> was dropped.</summary>
    /// <param name="text">A dropped message's text.</param>
    /// <returns>The time, or <see langword="null"/> when it was never answered full.</returns>
    /// <summary>Gets when <paramref name="text"/> was dropped (a <see cref="Stopwatch"/> timestamp), or null if it was not.</summary>
    public long? DroppedAt(string text)
    {
        lock (_lock)
        {
            return _droppedAt.TryGetValue(text, out var dropped) ? dropped : null;
        }
    }

    /// <summary>
    /// Waits until a layer has started more than <paramref name="started"/> waits for this forwarder's room, or
    /// <paramref name="dropped"/> messages were dropped; returns how many waits have started.
    /// </summary>
    /// <param name="started">How many waits the caller has seen.</param>
    /// <param name="dropped">How many dropped messages end the wait.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <returns>How many waits for room have started.</returns>
    public async Task<int> WaitForNewRoomWaitOrDroppedAsync(int started, int dropped, TimeSpan timeout)
    {
        await WaitUntilAsync(() => _roomWaitsStarted > started || _dropped.Count >= dropped, $"wait for room number {started + 1} or {dropped} dropped", timeout);
        lock (_lock)
        {
            return _roomWaitsStarted;
        }
    }

    /// <summary>Waits until <paramref name="count"/> messages were forwarded.</summary>
    /// <param name="count">How many.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <returns>A task that completes then, or fails with <see cref="TimeoutException"/> naming what arrived.</returns>
    public Task WaitForwardedAsync(int count, TimeSpan timeout) => WaitUntilAsync(() => _forwarded.Count >= count, $"{count} forwarded", timeout);

    /// <summary>Waits until <paramref name="count"/> messages were dropped.</summary>
    /// <param name="count">How many.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <returns>A task that completes then.</returns>
    public Task WaitDroppedAsync(int count, TimeSpan timeout) => WaitUntilAsync(() => _dropped.Count >= count, $"{count} dropped", timeout);

    /// <summary>Waits until the forwarder answered <see cref="ForwardOutcome.Full"/> <paramref name="count"/> times.</summary>
    /// <param name="count">How many.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <returns>A task that completes then.</returns>
    public Task WaitFullAnswersAsync(int count, TimeSpan timeout) => WaitUntilAsync(() => _fullAnswers >= count, $"{count} full answers", timeout);

    private async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (condition())
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            try
            {
                await changed.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                lock (_lock)
                {
                    throw new TimeoutException(
                        $"The forwarder did not reach '{what}' within {timeout.TotalSeconds} s: {_forwarded.Count} forwarded, {_dropped.Count} dropped, {_fullAnswers} full answers.");
                }
            }
        }
    }

    // Under the lock.
    private void Changed()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private List<string> Snapshot(List<string> list)
    {
        lock (_lock)
        {
            return [.. list];
        }
    }
}

/// <summary>
/// Makes forwarded frames with <see cref="ChannelMessage.GetFrame"/> under its own key and counts how many it encoded:
/// the forwarding path shares one message instance per process, so a group send encodes once per process.
/// </summary>
public sealed class FrameCounter
{
    private int _encodes;

    /// <summary>Gets how many frames were encoded.</summary>
    public int Encodes => Volatile.Read(ref _encodes);

    /// <summary>Returns the frame of <paramref name="message"/> (its payload), encoding it on first use per message.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The frame.</returns>
    public byte[] Frame(ChannelMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.GetFrame(this, m =>
        {
            Interlocked.Increment(ref _encodes);
            return m.Payload.ToArray();
        })!;
    }
}
