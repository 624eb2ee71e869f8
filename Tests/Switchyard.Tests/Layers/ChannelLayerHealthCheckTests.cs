using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchyard.Tests.Support;
using Xunit;

namespace Switchyard.Tests.Layers;

/// <summary>The channel layer's health check: registered by AddSwitchyard, answered by the layer in use.</summary>
public sealed class ChannelLayerHealthCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddSwitchyard_registers_one_check_and_the_in_memory_layer_is_healthy_until_it_is_closed()
    {
        // Called twice, as an application and a library of it might: still one check (names must be unique).
        var services = new ServiceCollection().AddLogging();
        services.AddSwitchyard();
        services.AddSwitchyard();
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();

        var report = await health.CheckHealthAsync(Ct);
        var entry = Assert.Single(report.Entries);
        Assert.Equal(ChannelLayerHealthCheck.Name, entry.Key);
        Assert.Contains(ChannelLayerHealthCheck.Tag, entry.Value.Tags);
        Assert.Equal(HealthStatus.Healthy, report.Status);

        await provider.GetRequiredService<ChannelLayer>().CloseAsync();
        report = await health.CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("closed", report.Entries[ChannelLayerHealthCheck.Name].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_layer_that_lost_its_backend_is_unhealthy_until_it_is_back()
    {
        await using var layer = new FlakyLayer();
        var check = new ChannelLayerHealthCheck(layer);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("layer", check, failureStatus: null, tags: null) };
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context, Ct)).Status);

        layer.Disconnect(new IOException("backend gone"));
        var result = await check.CheckHealthAsync(context, Ct);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("flaky", result.Description, StringComparison.Ordinal);

        layer.Reconnect();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context, Ct)).Status);
    }

    [Fact]
    public async Task An_unhealthy_layer_reports_the_failure_status_its_registration_asks_for()
    {
        await using var layer = new FlakyLayer();
        var check = new ChannelLayerHealthCheck(layer);
        var degraded = new HealthCheckContext { Registration = new HealthCheckRegistration("layer", check, HealthStatus.Degraded, tags: null) };

        layer.Disconnect(new IOException("backend gone"));

        Assert.Equal(HealthStatus.Degraded, (await check.CheckHealthAsync(degraded, Ct)).Status);
    }
}
