namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>An in-memory layer whose "backend connection" a test takes away and gives back, as a remote layer's would go and come.</summary>
internal sealed class SwitchableLayer : ChannelLayer
{
    private readonly InMemoryChannelLayer _inner = new(new ChannelLayerOptions());
    private volatile bool _connected;

    public SwitchableLayer(bool connected)
        : base("switchable", new ChannelLayerOptions()) => _connected = connected;

    public override ChannelLayerCapabilities Capabilities => _inner.Capabilities;

    public override bool IsConnected => _connected;

    public void Connect()
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
