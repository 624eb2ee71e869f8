using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Switchyard;

/// <summary>
/// The health check of the application's channel layer (<see cref="ChannelLayer.CheckHealthAsync"/>), whichever layer
/// it is: <c>AddSwitchyard()</c> registers it as <see cref="Name"/> with the tag <see cref="Tag"/>, so
/// <c>app.MapHealthChecks("/healthz")</c> answers 503 while the layer cannot work (a Redis layer whose servers are away,
/// or whose receive loops have stopped) and 200 when it can.
/// </summary>
public sealed class ChannelLayerHealthCheck : IHealthCheck
{
    /// <summary>The name the check is registered under.</summary>
    public const string Name = "switchyard-channel-layer";

    /// <summary>The tag the check carries, for health endpoints that select checks by tag.</summary>
    public const string Tag = "switchyard";

    private readonly ChannelLayer _layer;

    /// <summary>Creates the check of <paramref name="layer"/>.</summary>
    /// <param name="layer">The channel layer.</param>
    public ChannelLayerHealthCheck(ChannelLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layer = layer;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await _layer.CheckHealthAsync(cancellationToken).ConfigureAwait(false);

        // An unhealthy layer reports the status its registration asks for (Unhealthy unless configured otherwise).
        return result.Status == HealthStatus.Unhealthy && context.Registration is { } registration
            ? new HealthCheckResult(registration.FailureStatus, result.Description, result.Exception, result.Data)
            : result;
    }
}
