using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;

namespace Switchyard.Docs.Tests.Observability;

/// <summary>
/// docs/observability.md says what Switchyard publishes: its code compiles, its table of instruments is the instruments a
/// running server creates (with their units, tags and Prometheus names), and the Grafana dashboard beside it queries only
/// series and labels those instruments make.
/// </summary>
public sealed partial class ObservabilityDocTests
{
    private const string Document = "docs/observability.md";
    private const string Dashboard = "docs/observability/switchyard-dashboard.json";

    private static readonly string Root = typeof(ObservabilityDocTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    // Labels every Prometheus series has, whatever the instrument: the scrape's (or OTLP resource's) job and instance.
    private static readonly string[] TargetLabels = ["job", "instance"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Observability/OtlpSetup.cs")]
    [InlineData("Observability/PrometheusSetup.cs")]
    public void The_doc_shows_the_setup_that_is_compiled(string file)
    {
        var text = Read(Document);
        var source = File.ReadAllText(Path.Combine(Root, "Tests", "Switchyard.Docs.Tests", file)).ReplaceLineEndings("\n");
        var lines = source.Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == "// <readme>");
        var end = Array.FindIndex(lines, l => l.Trim() == "// </readme>");
        Assert.True(start >= 0 && end > start, $"{file} has no // <readme> ... // </readme> region.");
        var region = lines[(start + 1)..end];
        var indent = region.Where(l => l.Length > 0).Min(l => l.Length - l.TrimStart().Length);
        var shown = string.Concat(region.Select(l => (l.Length > 0 ? l[indent..] : l) + "\n"));

        Assert.True(text.Contains($"```csharp\n{shown}```\n", StringComparison.Ordinal),
            $"{Document} has no ```csharp block equal to the region of Tests/Switchyard.Docs.Tests/{file} (without its indentation); copy the region into it.");
    }

    [Fact]
    public void The_Prometheus_names_in_the_doc_follow_the_stated_rule()
    {
        foreach (var row in DocumentedInstruments())
        {
            Assert.Equal(PrometheusName(row.Name, row.Unit, row.Type), row.Prometheus);
        }
    }

    [Fact]
    public async Task The_doc_lists_every_instrument_a_server_creates_with_its_type_unit_and_tags()
    {
        var created = new ConcurrentDictionary<string, (string Type, string? Unit)>(StringComparer.Ordinal);
        var tagsSeen = new ConcurrentDictionary<string, ConcurrentDictionary<string, bool>>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SwitchyardDiagnostics.MeterName)
                {
                    created[instrument.Name] = (TypeOf(instrument), instrument.Unit);
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Seen(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var keys = tagsSeen.GetOrAdd(instrument.Name, _ => new(StringComparer.Ordinal));
            foreach (var tag in tags)
            {
                keys[tag.Key] = true;
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Seen(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Seen(instrument, tags));
        listener.Start();

        // A server with a connection that says something: the layer, a consumer and a WebSocket connection at work.
        await using (var app = await StartChatServerAsync(_ => { }))
        {
            await ChatAsync(app, "lobby", Ct);
        }

        var documented = DocumentedInstruments().ToDictionary(r => r.Name, StringComparer.Ordinal);
        Assert.Equal(documented.Keys.Order(StringComparer.Ordinal), created.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, (type, unit)) in created)
        {
            Assert.Equal($"{documented[name].Type} in {documented[name].Unit}", $"{type} in {unit}");
        }

        foreach (var (name, keys) in tagsSeen)
        {
            var undocumented = keys.Keys.Except(documented[name].Tags).ToArray();
            Assert.True(undocumented.Length == 0, $"{name} was recorded with tags the doc does not list: {string.Join(", ", undocumented)}.");
        }

        Assert.Contains("messaging.client.operation.duration", tagsSeen.Keys);
    }

    [Fact]
    public void The_dashboard_queries_only_series_and_labels_the_instruments_make()
    {
        using var dashboard = JsonDocument.Parse(Read(Dashboard));
        var root = dashboard.RootElement;
        var series = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var row in DocumentedInstruments())
        {
            var labels = row.Tags.Select(t => t.Replace('.', '_')).Concat(TargetLabels).ToHashSet(StringComparer.Ordinal);
            if (row.Type == "histogram")
            {
                series[row.Prometheus + "_bucket"] = [.. labels, "le"];
                series[row.Prometheus + "_sum"] = labels;
                series[row.Prometheus + "_count"] = labels;
            }
            else
            {
                series[row.Prometheus] = labels;
            }
        }

        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToArray();
        Assert.Contains(variables, v => v.GetProperty("type").GetString() == "datasource" && v.GetProperty("query").GetString() == "prometheus");
        var queries = variables.Where(v => v.GetProperty("type").GetString() == "query")
            .Select(v => v.GetProperty("definition").GetString()!)
            .Concat(Panels(root).SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!))
            .ToArray();
        Assert.True(queries.Length >= 10, $"the dashboard has {queries.Length} queries");

        var seriesQueried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var query in queries)
        {
            // Series names are what is left once the groupings and the selectors (label names) are taken out.
            var withoutLabels = Regex.Replace(Regex.Replace(query, @"\b(?:by|without)\s*\([^)]*\)", " "), @"\{[^}]*\}", " ");
            var names = MetricName().Matches(withoutLabels).Select(m => m.Value).Distinct().ToArray();
            Assert.True(names.Length > 0, $"'{query}' names no Switchyard series.");
            foreach (var name in names)
            {
                Assert.True(series.ContainsKey(name), $"'{query}' names {name}, which no instrument in {Document} makes.");
                seriesQueried.Add(name);
            }

            var labels = names.SelectMany(n => series[n]).ToHashSet(StringComparer.Ordinal);
            foreach (var label in LabelsUsed(query))
            {
                Assert.True(labels.Contains(label), $"'{query}' uses the label {label}, which {string.Join(", ", names)} does not have.");
            }
        }

        // The panels the doc promises: connections, messages, handling-time quantiles, layer operations and close codes.
        Assert.Contains("switchyard_websocket_connections_active", seriesQueried);
        Assert.Contains("switchyard_layer_messages_sent_total", seriesQueried);
        Assert.Contains("switchyard_layer_messages_received_total", seriesQueried);
        Assert.Contains("switchyard_layer_messages_dropped_total", seriesQueried);
        Assert.Contains("messaging_process_duration_seconds_bucket", seriesQueried);
        Assert.Contains("messaging_client_operation_duration_seconds_bucket", seriesQueried);
        Assert.Contains("switchyard_websocket_connections_closed_total", seriesQueried);
        foreach (var quantile in new[] { "0.5", "0.95", "0.99" })
        {
            Assert.Contains(queries, q => q.StartsWith($"histogram_quantile({quantile}, ", StringComparison.Ordinal) && q.Contains("messaging_process_duration_seconds_bucket", StringComparison.Ordinal));
        }

        Assert.All(Panels(root), p => Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString()));
    }

    [Fact]
    public async Task The_OpenTelemetry_SDK_exports_the_spans_and_the_durations_with_Switchyard_buckets()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var app = await StartChatServerAsync(builder => builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(SwitchyardDiagnostics.ActivitySourceName).AddInMemoryExporter(spans))
            .WithMetrics(meters => meters.AddMeter(SwitchyardDiagnostics.MeterName).AddInMemoryExporter(metrics)));

        // A room of this test's own: the SDK hears every Switchyard span in the process, other tests' too.
        var room = $"sdk{Guid.NewGuid():N}";
        await ChatAsync(app, room, Ct);
        Assert.True(app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000), "the metrics were not flushed");

        Activity[] exported;
        lock (spans)
        {
            exported = [.. spans];
        }

        // The client's request is a process span, and the handler's group send its child.
        var send = Assert.Single(exported, s => s.DisplayName == $"group_send chat.{room}");
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal("send", send.GetTagItem("messaging.operation.type"));
        Assert.NotNull(send.GetTagItem("messaging.message.id"));
        var request = Assert.Single(exported, s => s.SpanId == send.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, request.Kind);
        Assert.Equal("chat.say", request.GetTagItem("switchyard.message.type"));
        Assert.Equal("1", request.GetTagItem("messaging.message.id"));

        // The SDK took the instruments' advice: buckets from 10 µs (its own default would start at 0 and then 5 ms).
        foreach (var name in new[] { "messaging.client.operation.duration", "messaging.process.duration" })
        {
            var bounds = BucketBounds(Assert.Single(metrics, m => m.Name == name));
            Assert.Equal(1e-5, bounds[0]);
            Assert.Contains(10d, bounds);
        }
    }

    private static List<double> BucketBounds(Metric histogram)
    {
        Assert.Equal("s", histogram.Unit);
        var bounds = new List<double>();
        foreach (ref readonly var point in histogram.GetMetricPoints())
        {
            Assert.True(point.GetHistogramCount() > 0);
            bounds.Clear();
            foreach (var bucket in point.GetHistogramBuckets())
            {
                bounds.Add(bucket.ExplicitBound);
            }
        }

        Assert.NotEmpty(bounds);
        return bounds;
    }

    [GeneratedRegex(@"\b(?:switchyard|messaging)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    // The label names a query groups by (by / without) or selects on ({name="..."}).
    private static IEnumerable<string> LabelsUsed(string query)
    {
        foreach (Match grouping in Regex.Matches(query, @"\b(?:by|without)\s*\(([^)]*)\)"))
        {
            foreach (var label in grouping.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                yield return label;
            }
        }

        foreach (Match selector in Regex.Matches(query, @"\{([^}]*)\}"))
        {
            foreach (Match matcher in Regex.Matches(selector.Groups[1].Value, @"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)"))
            {
                yield return matcher.Groups[1].Value;
            }
        }
    }

    private static IEnumerable<JsonElement> Panels(JsonElement dashboard) =>
        dashboard.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row");

    // The rule the doc states: dots to underscores, the unit's word (s: seconds), _total for a counter.
    private static string PrometheusName(string name, string unit, string type) =>
        name.Replace('.', '_') + (unit == "s" ? "_seconds" : string.Empty) + (type == "counter" ? "_total" : string.Empty);

    private static string TypeOf(Instrument instrument)
    {
        var definition = instrument.GetType().GetGenericTypeDefinition();
        return definition == typeof(Counter<>) ? "counter"
            : definition == typeof(UpDownCounter<>) ? "updowncounter"
            : definition == typeof(Histogram<>) ? "histogram"
            : definition.Name;
    }

    // The rows of the doc's table of instruments: | `name` | type | `unit` | `tag`, `tag` | `prometheus_name` |.
    private static IReadOnlyList<InstrumentRow> DocumentedInstruments()
    {
        var text = Read(Document);
        var section = text[text.IndexOf("\n## Metrics\n", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var rows = section.Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .Select(c => new InstrumentRow(
                c[0].Trim('`'),
                c[1],
                c[2].Trim('`'),
                c[3].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => t.Trim('`')).ToArray(),
                c[4].Trim('`')))
            .ToArray();
        Assert.True(rows.Length > 10, $"{Document} lists {rows.Length} instruments");
        return rows;
    }

    private static string Read(string path) => File.ReadAllText(Path.Combine(Root, path)).ReplaceLineEndings("\n");

    private static async Task<WebApplication> StartChatServerAsync(Action<WebApplicationBuilder> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchyard();
        configure(builder);
        var app = builder.Build();
        app.MapSwitchyard();
        await app.StartAsync(Ct);
        return app;
    }

    // One client of the README's chat says a line in a room (a request, answered, and a group send) and leaves.
    private static async Task ChatAsync(WebApplication app, string room, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{new Uri(app.Urls.First()).Authority}/ws/chat/{room}/"), timeout.Token);
        await socket.SendAsync("""{"type":"chat.say","text":"hello","$id":1}"""u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        var types = new List<string?>();
        var buffer = new byte[64 * 1024];
        while (!types.Contains("chat.said"))
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += result.Count;
            }
            while (!result.EndOfMessage);
            types.Add(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, length)).RootElement.GetProperty("type").GetString());
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
    }

    private sealed record InstrumentRow(string Name, string Type, string Unit, string[] Tags, string Prometheus);
}
