using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

public sealed partial class RedisChannelLayer
{
    /// <summary>
    /// Gets how long a process inbox's receive loop may go without coming round before the layer reports it stalled: three
    /// command timeouts, at least 15 s (the loop comes round at least once a second when idle).
    /// </summary>
    private TimeSpan StallLimit => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(15).Ticks, 3 * _shards.Max(s => s.CommandTimeout.Ticks)));

    /// <inheritdoc />
    /// <remarks>
    /// Healthy when every server's command and subscription connections are up, every server answers a PING within
    /// 2 s, and every started receive loop of this process's inboxes is running (come round within the stall limit, on
    /// a live connection). Unhealthy otherwise, naming the first problem and the server (never a password). The data
    /// holds <c>servers</c>, <c>connectedServers</c> and <c>receiveLoops</c>.
    /// </remarks>
    public override async ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            return HealthCheckResult.Unhealthy($"The {Name} channel layer is closed.");
        }

        var problem = await ServerHealth.FindProblemAsync(_shards, cancellationToken).ConfigureAwait(false);
        var loops = 0;
        var stallLimit = StallLimit;
        foreach (var inbox in _inboxes.Values)
        {
            if (inbox.LoopProblem(stallLimit) is { } loopProblem)
            {
                problem ??= loopProblem;
            }
            else if (inbox.LoopStarted)
            {
                loops++;
            }
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["servers"] = _shards.Length,
            ["connectedServers"] = ServerHealth.Connected(_shards),
            ["receiveLoops"] = loops,
        };
        return problem is null
            ? HealthCheckResult.Healthy($"The {Name} channel layer is connected to its {_shards.Length} Redis server(s); {loops} receive loop(s) running.", data)
            : HealthCheckResult.Unhealthy($"The {Name} channel layer cannot work: {problem}.", data: data);
    }
}
