using System.Threading.Channels;

namespace Switchyard.Tests.Support;

/// <summary>
/// An in-memory layer whose "backend connection" a test drops and restores, as a remote layer's would, and which
/// tells the test how each receive ended.
/// </summary>
internal sealed class FlakyLayer : ChannelLayer
{
    private readonly InMemoryChannelLayer _inner = new(new ChannelLayerOptions());
    private readonly Channel<string> _receives = Channel.CreateUnbounded<string>();
    private volatile bool _connected = true;
    private int _failingGroupAdds;

    public FlakyLayer()
        : base("flaky", new ChannelLayerOptions())
    {
    }

    public override ChannelLayerCapabilities Capabilities => _inner.Capabilities;

    public override bool IsConnected => _connected;

    /// <summary>Gets how each receive ended, in order: the type of the message it took off its channel, or "cancelled".</summary>
    public ChannelReader<string> Receives => _receives.Reader;

    public void Disconnect(Exception error)
    {
        _connected = false;
        OnConnectionChanged(false, error);
    }

    public void Reconnect()
    {
        _connected = true;
        OnConnectionChanged(true, null);
    }

    /// <summary>The next <paramref name="count"/> group adds fail as a backend command that timed out would, the connection staying up.</summary>
    public void FailGroupAdds(int count) => Volatile.Write(ref _failingGroupAdds, count);

    protected override ValueTask SendCoreAsync(string channel, ChannelMessage message, CancellationToken cancellationToken) =>
        _inner.SendAsync(channel, message, cancellationToken);

    protected override async ValueTask<ChannelMessage> ReceiveCoreAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            var message = await _inner.ReceiveAsync(channel, cancellationToken);
            _receives.Writer.TryWrite(message.Type);
            return message;
        }
        catch (OperationCanceledException)
        {
            _receives.Writer.TryWrite("cancelled");
            throw;
        }
    }

    protected override ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        Interlocked.Decrement(ref _failingGroupAdds) >= 0
            ? ValueTask.FromException(new ChannelLayerException($"The backend did not answer the join of '{group}' in time."))
            : _inner.GroupAddAsync(group, channel, cancellationToken);

    protected override ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        _inner.GroupDiscardAsync(group, channel, cancellationToken);

    protected override ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken) =>
        _inner.GroupSendAsync(group, message, cancellationToken);

    protected override ValueTask FlushCoreAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    protected override ValueTask CloseCoreAsync() => _inner.CloseAsync();
}
