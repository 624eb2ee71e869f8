using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Metrics;

namespace Switchyard.Docs.Tests.Observability;

/// <summary>
/// docs/observability.md, "Prometheus": compiled here; the doc shows what lies between the markers, without the
/// method's indentation.
/// </summary>
internal static class PrometheusSetup
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        // <readme>
        builder.Services.AddSwitchyard();
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(SwitchyardDiagnostics.MeterName)
                .AddPrometheusExporter());

        var app = builder.Build();
        app.MapSwitchyard();
        app.MapPrometheusScrapingEndpoint();   // GET /metrics, in Prometheus's text format
        // </readme>
        return app;
    }
}
