namespace Switchyard.Tests.Support;

/// <summary>An in-memory layer whose "backend connection" a test drops and restores, as a remote layer's would.</summary>
internal sealed class FlakyLayer : ChannelLayer
{
    private readonly InMemoryChannelLayer _inner = new(new ChannelLayerOptions());
    private volatile bool _connected = true;

    public FlakyLayer()
        : base("flaky", new ChannelLayerOptions())
    {
    }

    public override ChannelLayerCapabilities Capabilities => _inner.Capabilities;

    public override bool IsConnected => _connected;

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

    protected override ValueTask<ChannelMessage> ReceiveCoreAsync(string channel, CancellationToken cancellationToken) =>
        _inner.ReceiveAsync(channel, cancellationToken);

    protected override ValueTask GroupAddCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        _inner.GroupAddAsync(group, channel, cancellationToken);

    protected override ValueTask GroupDiscardCoreAsync(string group, string channel, CancellationToken cancellationToken) =>
        _inner.GroupDiscardAsync(group, channel, cancellationToken);

    protected override ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken) =>
        _inner.GroupSendAsync(group, message, cancellationToken);

    protected override ValueTask FlushCoreAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    protected override ValueTask CloseCoreAsync() => _inner.CloseAsync();
}
