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
}
