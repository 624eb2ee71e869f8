using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Switchyard.Docs.Tests.Observability;

/// <summary>
/// docs/observability.md, "OpenTelemetry in an ASP.NET Core app": compiled here; the doc shows what lies between the
/// markers, without the method's indentation.
/// </summary>
internal static class OtlpSetup
{
    public static void AddTelemetry(WebApplicationBuilder builder)
    {
        // <readme>
        builder.Services.AddSwitchyard();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("chat"))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddSource(SwitchyardDiagnostics.ActivitySourceName)
                .AddOtlpExporter())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(SwitchyardDiagnostics.MeterName)
                .AddOtlpExporter());
        // </readme>
    }
}
