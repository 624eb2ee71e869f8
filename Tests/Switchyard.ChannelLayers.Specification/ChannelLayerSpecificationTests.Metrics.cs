using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Metrics on the test's own meter, and trace context carried in the <c>traceparent</c> header.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    private const string SentInstrument = "switchyard.layer.messages.sent";
    private const string ReceivedInstrument = "switchyard.layer.messages.received";
    private const string GroupSendsInstrument = "switchyard.layer.group.sends";
    private const string MembersReachedInstrument = "switchyard.layer.group.members_reached";

    [Fact]
    public async Task Sent_and_received_messages_are_counted_and_tagged_with_the_layer()
    {
        using var metrics = new MetricCollector(MeterFactory);
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("counted");

        await layer.SendAsync(channel, Message("1"));
        await layer.SendAsync(channel, Message("2"));
        await layer.SendAsync(channel, Message("3"));
        await ReceiveWithinAsync(layer, channel);
        await ReceiveWithinAsync(layer, channel);

        Assert.Equal(3, metrics.Total(SentInstrument));
        Assert.Equal(2, metrics.Total(ReceivedInstrument));
        Assert.All(metrics.Measurements(SentInstrument).Concat(metrics.Measurements(ReceivedInstrument)), m =>
            Assert.Contains(new KeyValuePair<string, object?>("switchyard.layer", layer.Name), m.Tags));
    }

    [Fact]
    public async Task A_receive_that_waited_is_counted_once_delivered()
    {
        using var metrics = new MetricCollector(MeterFactory);
        var layer = await NewLayerAsync();
        var channel = Name("waited");
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var receive = layer.ReceiveAsync(channel, timeout.Token).AsTask();
        Assert.Equal(0, metrics.Total(ReceivedInstrument));
        await layer.SendAsync(channel, Message("x"));
        await receive.WaitAsync(WaitTimeout);

        Assert.Equal(1, metrics.Total(ReceivedInstrument));
    }

    [Fact]
    public async Task Refused_sends_are_not_counted_as_sent_and_full_channels_count_as_dropped()
    {
        using var metrics = new MetricCollector(MeterFactory);
        var layer = await NewLayerAsync(new ChannelLayerOptions { Capacity = 1, MaxMessageSize = 16 });
        RequireCapability(layer, ChannelLayerCapabilities.Capacity);
        var channel = Name("refused");

        await layer.SendAsync(channel, Message("ok"));
        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(channel, Message("full")));
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await layer.SendAsync(Name("other"), MessageOfSize(17)));

        Assert.Equal(1, metrics.Total(SentInstrument));
        Assert.Equal(1, metrics.Total(DroppedInstrument, "reason", "channel_full"));
        Assert.Equal(1, metrics.Total(DroppedInstrument));
    }

    [Fact]
    public async Task Group_sends_and_members_reached_are_counted()
    {
        using var metrics = new MetricCollector(MeterFactory);
        var layer = await NewGroupLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.GroupMemberCounts);
        var group = Name("room");
        for (var i = 0; i < 3; i++)
        {
            await layer.GroupAddAsync(group, Name($"m{i}"));
        }

        await layer.GroupSendAsync(group, Message("1"));
        await layer.GroupSendAsync(group, Message("2"));
        await layer.GroupSendAsync(Name("empty"), Message("3"));

        Assert.Equal(3, metrics.Total(GroupSendsInstrument));
        Assert.Equal(6, metrics.Total(MembersReachedInstrument));
        Assert.Equal(6, metrics.Total(SentInstrument));
        Assert.Equal(0, metrics.Total(DroppedInstrument));
    }

    [Fact]
    public async Task Metrics_go_only_to_the_meter_factory_the_layer_was_given()
    {
        using var metrics = new MetricCollector(MeterFactory);
        using var otherFactory = new TestMeterFactory();
        using var otherMetrics = new MetricCollector(otherFactory);
        var layer = await NewLayerAsync();

        await layer.SendAsync(Name("chan"), Message("x"));

        Assert.Equal(1, metrics.Total(SentInstrument));
        Assert.Equal(0, otherMetrics.Total(SentInstrument));
    }

    [Fact]
    public async Task A_sent_message_carries_the_ambient_trace_in_its_traceparent_header()
    {
        var channel = Name("traced");
        var started = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SwitchyardDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = started.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);

        using var ambient = new Activity("switchyard-spec").SetIdFormat(ActivityIdFormat.W3C).Start();
        await layer.SendAsync(channel, Message("traced"));
        ambient.Stop();

        var received = await ReceiveWithinAsync(layer, channel);
        Assert.True(received.Headers.TryGetValue(MessageHeaders.TraceParent, out var traceParent), "The message has no traceparent header.");
        Assert.True(ActivityContext.TryParse(traceParent, null, out var context), $"'{traceParent}' is not a W3C traceparent.");
        Assert.Equal(ambient.TraceId, context.TraceId);

        // The header names the producer span the layer started for this send, a child of the ambient activity.
        var producer = Assert.Single(started, a => a.TraceId == ambient.TraceId);
        Assert.Equal(ActivityKind.Producer, producer.Kind);
        Assert.Equal(ambient.SpanId, producer.ParentSpanId);
        Assert.Equal(producer.SpanId, context.SpanId);
    }

    [Fact]
    public async Task A_group_sent_message_carries_the_ambient_trace_to_every_member()
    {
        var group = Name("room");
        var members = new[] { Name("a"), Name("b") };
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SwitchyardDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var layer = await NewGroupLayerAsync();
        foreach (var member in members)
        {
            await layer.GroupAddAsync(group, member);
        }

        using var ambient = new Activity("switchyard-spec").SetIdFormat(ActivityIdFormat.W3C).Start();
        ambient.TraceStateString = "vendor=value";
        await layer.GroupSendAsync(group, Message("traced"));
        ambient.Stop();

        foreach (var member in members)
        {
            var received = await ReceiveWithinAsync(layer, member);
            Assert.True(received.Headers.TryGetValue(MessageHeaders.TraceParent, out var traceParent));
            Assert.True(ActivityContext.TryParse(traceParent, null, out var context));
            Assert.Equal(ambient.TraceId, context.TraceId);
            Assert.True(received.Headers.TryGetValue(MessageHeaders.TraceState, out var traceState));
            Assert.Equal("vendor=value", traceState);
        }
    }
}
