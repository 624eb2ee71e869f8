using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Switchyard;

/// <summary>The names under which Switchyard publishes traces and metrics, for OpenTelemetry configuration.</summary>
/// <remarks>
/// <para>Spans and instruments follow the OpenTelemetry messaging semantic conventions (<c>send</c>, <c>group_send</c>
/// and <c>process</c> spans; the <c>messaging.client.operation.duration</c> and <c>messaging.process.duration</c>
/// histograms) beside Switchyard's own <c>switchyard.*</c> counters; docs/observability.md lists them all.</para>
/// <code>
/// builder.Services.AddOpenTelemetry()
///     .WithTracing(t => t.AddSource(SwitchyardDiagnostics.ActivitySourceName))
///     .WithMetrics(m => m.AddMeter(SwitchyardDiagnostics.MeterName));
/// </code>
/// </remarks>
public static class SwitchyardDiagnostics
{
    /// <summary>The <see cref="ActivitySource"/> name: sends are producer spans, handled messages consumer spans.</summary>
    public const string ActivitySourceName = "Switchyard";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name of every Switchyard instrument.</summary>
    public const string MeterName = "Switchyard";

    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private static readonly Meter SharedMeter = new(MeterName);

    /// <summary>Returns the Switchyard meter from <paramref name="meterFactory"/>, or a process-wide one without a factory.</summary>
    internal static Meter GetMeter(IMeterFactory? meterFactory) =>
        meterFactory?.Create(new MeterOptions(MeterName)) ?? SharedMeter;

    // Instruments are created once per meter, not once per consumer or connection.
    private static readonly ConditionalWeakTable<Meter, ConsumerMetrics> ConsumerMetricsByMeter = [];

    internal static ConsumerMetrics GetConsumerMetrics(IMeterFactory? meterFactory) =>
        ConsumerMetricsByMeter.GetValue(GetMeter(meterFactory), static meter => new ConsumerMetrics(meter));
}
