using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Ipc;
using Switchyard.Redis;

namespace Switchyard.ChannelLayers.LayerHost;

/// <summary>The factories of the layer kinds this host serves.</summary>
internal static class LayerKinds
{
    /// <summary><c>redis {servers} {prefix}</c>: the Redis layer on those servers (sharded when several), under that key prefix.</summary>
    public static async Task<ChannelLayer> CreateRedisAsync(
        IReadOnlyList<string> arguments, ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory, CancellationToken cancellationToken)
    {
        var redis = new RedisChannelLayerOptions { Prefix = arguments[1] };
        foreach (var server in arguments[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            redis.Servers.Add(server);
        }

        options.CopyTo(redis.Layer);
        return await RedisChannelLayer.ConnectAsync(redis, timeProvider, loggerFactory: null, meterFactory, cancellationToken);
    }

    /// <summary><c>ipc {directory} {namespace}</c>: the IPC layer, a process of that namespace (a small segment: tests need no more).</summary>
    public static Task<ChannelLayer> CreateIpcAsync(
        IReadOnlyList<string> arguments, ChannelLayerOptions options, TimeProvider timeProvider, IMeterFactory meterFactory, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The IPC layer runs on Linux (and other POSIX systems), not Windows.");
        }

        var ipc = new IpcChannelLayerOptions { Directory = arguments[0], Name = arguments[1], SegmentSize = 8L << 20, MaxNames = 4096 };
        options.CopyTo(ipc.Layer);
        return Task.FromResult<ChannelLayer>(IpcChannelLayer.Open(ipc, timeProvider, loggerFactory: null, meterFactory));
    }
}
