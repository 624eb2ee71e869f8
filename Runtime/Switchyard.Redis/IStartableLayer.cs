namespace Switchyard.Redis;

/// <summary>A Redis layer made without I/O (so DI can make it synchronously) and connected by <see cref="RedisLayerStarter"/> when the host starts.</summary>
internal interface IStartableLayer
{
    /// <summary>
    /// Connects the layer (once; later calls wait for the same attempt). Without <c>AbortOnConnectFail</c> it completes
    /// after the first attempt, connected or not (then it connects in the background); with it, a server that cannot be
    /// reached fails it. A refused handshake fails it either way.
    /// </summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Starts <paramref name="layer"/> and returns it; a failed start closes it and throws the failure.</summary>
    static async Task<TLayer> StartOrCloseAsync<TLayer>(TLayer layer, CancellationToken cancellationToken)
        where TLayer : ChannelLayer, IStartableLayer
    {
        try
        {
            await layer.StartAsync(cancellationToken).ConfigureAwait(false);
            return layer;
        }
        catch
        {
            await layer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
