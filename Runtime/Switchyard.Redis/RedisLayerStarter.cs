using Microsoft.Extensions.Hosting;

namespace Switchyard.Redis;

/// <summary>
/// Connects the registered Redis layer when the host starts, asynchronously: the layer is made without I/O when it is
/// first resolved and starts connecting then; the host's start waits for the first attempt, so with
/// <c>AbortOnConnectFail</c> an unreachable server (and always a refused password) stops the host with that error.
/// </summary>
internal sealed class RedisLayerStarter(ChannelLayer layer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        layer is IStartableLayer startable ? startable.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
