using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Tests.Consumers;
using Switchyard.Tests.Support;
using Xunit;

namespace Switchyard.Tests.Diagnostics;

/// <summary>
/// The duration histograms of the OpenTelemetry messaging conventions: <c>messaging.client.operation.duration</c> of the
/// layer's sends and <c>messaging.process.duration</c> of the consumers' handling, on the test's own meter factory.
/// </summary>
public sealed class DurationHistogramTests : IAsyncDisposable
{
    private const string OperationDuration = "messaging.client.operation.duration";
    private const string ProcessDuration = "messaging.process.duration";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TestMeterFactory _meters = new();
    private readonly HistogramCollector _histograms;
    private readonly InMemoryChannelLayer _layer;
    private readonly List<ConsumerRunner> _runners = [];

    public DurationHistogramTests()
    {
        _histograms = new HistogramCollector(_meters);
        _layer = new InMemoryChannelLayer(new ChannelLayerOptions { Capacity = 1 }, meterFactory: _meters);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var runner in _runners)
        {
            runner.Stop();
            await runner.Completion.WaitAsync(Timeout);
        }

        await _layer.DisposeAsync();
        _histograms.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task Sends_and_group_sends_record_their_duration_tagged_with_the_operation_and_the_layer()
    {
        await _layer.GroupAddAsync("room", "member", Ct);

        await _layer.SendAsync("orders", ChannelMessage.Create(new TestMessage(1, "one")), Ct);
        await _layer.GroupSendAsync("room", ChannelMessage.Create(new TestMessage(2, "all")), Ct);

        var durations = _histograms.Of(OperationDuration);
        Assert.Equal(["send", "group_send"], durations.Select(d => d.Tags["messaging.operation.name"]));
        Assert.All(durations, d =>
        {
            Assert.True(d.Value > 0, $"a duration of {d.Value} s");
            Assert.Equal("switchyard", d.Tags["messaging.system"]);
            Assert.Equal("send", d.Tags["messaging.operation.type"]);
            Assert.Equal("inmemory", d.Tags["switchyard.layer"]);
            Assert.False(d.Tags.ContainsKey("error.type"));
            Assert.False(d.Tags.ContainsKey("messaging.destination.name"));
        });
    }

    [Fact]
    public async Task A_refused_send_records_its_duration_with_the_error_type()
    {
        await _layer.SendAsync("full", ChannelMessage.Create(new TestMessage(1, "fits")), Ct);
        await Assert.ThrowsAsync<ChannelFullException>(async () => await _layer.SendAsync("full", ChannelMessage.Create(new TestMessage(2, "no room")), Ct));

        var durations = _histograms.Of(OperationDuration);
        Assert.Equal(2, durations.Count);
        Assert.Equal(typeof(ChannelFullException).FullName, durations[1].Tags["error.type"]);
    }

    [Fact]
    public async Task A_handled_message_records_its_processing_time_tagged_with_the_consumer_the_type_and_the_named_channel()
    {
        var consumer = new ScriptedConsumer();
        Run(consumer, "jobs");

        await _layer.SendAsync("jobs", ChannelMessage.Create(new TestMessage(1, "work")), Ct);

        var processed = Assert.Single(await _histograms.WaitForAsync(ProcessDuration, 1, Timeout));
        Assert.True(processed.Value > 0, $"a duration of {processed.Value} s");
        Assert.Equal("switchyard", processed.Tags["messaging.system"]);
        Assert.Equal("process", processed.Tags["messaging.operation.name"]);
        Assert.Equal(nameof(ScriptedConsumer), processed.Tags["switchyard.consumer"]);
        Assert.Equal("test.message", processed.Tags["switchyard.message.type"]);
        Assert.Equal("jobs", processed.Tags["messaging.destination.name"]);
        Assert.False(processed.Tags.ContainsKey("error.type"));
    }

    [Fact]
    public async Task The_processing_time_on_a_connection_channel_has_no_destination_tag()
    {
        var channel = await _layer.NewChannelAsync("ws", Ct);
        Run(new ScriptedConsumer(), channel);

        await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(1, "direct")), Ct);

        var processed = Assert.Single(await _histograms.WaitForAsync(ProcessDuration, 1, Timeout));
        Assert.False(processed.Tags.ContainsKey("messaging.destination.name"), $"tagged with '{(processed.Tags.TryGetValue("messaging.destination.name", out var d) ? d : null)}'");
        Assert.Equal("test.message", processed.Tags["switchyard.message.type"]);
    }

    [Fact]
    public async Task A_handler_that_throws_records_its_processing_time_with_the_error_type()
    {
        Run(new ScriptedConsumer { OnMessage = static (_, _) => throw new InvalidOperationException("broken handler") }, "jobs.failing");

        await _layer.SendAsync("jobs.failing", ChannelMessage.Create(new TestMessage(1, "boom")), Ct);

        var processed = Assert.Single(await _histograms.WaitForAsync(ProcessDuration, 1, Timeout));
        Assert.Equal(typeof(InvalidOperationException).FullName, processed.Tags["error.type"]);
    }

    [Theory]
    [InlineData(OperationDuration)]
    [InlineData(ProcessDuration)]
    public void The_histograms_are_in_seconds_with_buckets_below_a_millisecond(string name)
    {
        Run(new ScriptedConsumer(), "jobs.idle");

        var histogram = _histograms.Instrument(name);

        Assert.Equal("s", histogram.Unit);
        var buckets = histogram.Advice?.HistogramBucketBoundaries;
        Assert.NotNull(buckets);
        Assert.True(buckets[0] < 0.0001, $"the first bucket ends at {buckets[0]} s");
        Assert.Equal(buckets.Order(), buckets);
        Assert.Contains(10d, buckets);
    }

    [Fact]
    public void Without_a_listener_no_duration_reads_the_clock()
    {
        using var meter = new Meter(SwitchyardDiagnostics.MeterName);
        var layerMetrics = new ChannelLayerMetrics(meter, "test");
        var consumerMetrics = new ConsumerMetrics(meter);
        Assert.Equal(0, layerMetrics.StartOperation());
        Assert.Equal(0, consumerMetrics.StartProcessing());

        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.Start();

        Assert.NotEqual(0, layerMetrics.StartOperation());
        Assert.NotEqual(0, consumerMetrics.StartProcessing());
    }

    private void Run(Consumer consumer, string channel)
    {
        var runner = new ConsumerRunner(consumer, new ConsumerScope(channel), _layer, meterFactory: _meters);
        _runners.Add(runner);
        _ = runner.RunAsync();
    }
}
