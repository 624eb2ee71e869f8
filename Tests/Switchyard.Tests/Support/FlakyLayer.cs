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
        _inner.GroupAddAsync(group, channel, cancellationToken);

    protected override ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        _inner.GroupDiscardAsync(group, channel, cancellationToken);

    protected override ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken) =>
        _inner.GroupSendAsync(group, message, cancellationToken);

    protected override ValueTask FlushCoreAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    protected override ValueTask CloseCoreAsync() => _inner.CloseAsync();
}
