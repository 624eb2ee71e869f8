using System.Threading.Channels;
using Switchyard.Redis.Forwarding;

namespace Switchyard.Redis;

/// <summary>A message in a local channel's buffer, and when it expires unread (Unix ms of the layer's clock).</summary>
internal readonly record struct BufferedMessage(ChannelMessage Message, long ExpiresAtMs);

/// <summary>
/// A local channel in this process: its forwarder and the messages waiting for room (see <see cref="LocalMember"/>),
/// its buffer for receives, and how many receives are waiting on it.
/// </summary>
internal sealed class LocalChannel : LocalMember
{
    private readonly ProcessInbox _inbox;
    private readonly Lock _roomLock = new();
    private TaskCompletionSource? _room;

    public LocalChannel(ProcessInbox inbox, string suffix, int capacity, TimeSpan fullMemberTimeout, TimeProvider time)
        : base(fullMemberTimeout, time, inbox.Stopping)
    {
        _inbox = inbox;
        Suffix = suffix;
        Capacity = capacity;
    }

    /// <summary>Gets the channel's local part (after the <c>!</c>).</summary>
    public string Suffix { get; }

    /// <summary>Gets the channel's capacity (the layer's rules, read once).</summary>
    public int Capacity { get; }

    public Channel<BufferedMessage> Messages { get; } = Channel.CreateUnbounded<BufferedMessage>(new UnboundedChannelOptions { SingleWriter = true });

    public int Receivers { get; set; }

    public long IdleSince { get; set; } = Environment.TickCount64;

    /// <summary>Gets or sets whether the sweep forgot this channel (under the inbox's lock); a later use makes a new one.</summary>
    public bool IsRemoved { get; set; }

    /// <summary>Takes the first buffered message, telling a message that waits for room that there is some.</summary>
    public bool TryTake(out BufferedMessage item)
    {
        if (!Messages.Reader.TryRead(out item))
        {
            return false;
        }

        // After the read (a full fence): a waiter that registered before it is seen here, one after it sees the room.
        if (Volatile.Read(ref _room) is not null)
        {
            SignalRoom();
        }

        return true;
    }

    protected override void OnForwarded(in MemberDelivery delivery, bool dropped) => _inbox.OnForwarded(this, delivery, dropped);

    protected override bool TryBuffer(in MemberDelivery delivery, bool mayWait) => _inbox.TryBuffer(this, delivery, mayWait);

    protected override Task WaitForBufferRoomAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource room;
        lock (_roomLock)
        {
            room = _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Interlocked.MemoryBarrier();
        if (Messages.Reader.Count < Capacity)
        {
            SignalRoom();
        }

        return room.Task.WaitAsync(cancellationToken);
    }

    protected override void OnForwarderFailed(Exception error) =>
        RedisLog.ForwarderFailed(_inbox.Logger, error, _inbox.NonLocalPart + Suffix);

    protected override void OnPumpFailed(Exception error, int dropped) =>
        RedisLog.WaitingMessagesFailed(_inbox.Logger, error, dropped, _inbox.NonLocalPart + Suffix);

    private void SignalRoom()
    {
        TaskCompletionSource? room;
        lock (_roomLock)
        {
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
    }
}
