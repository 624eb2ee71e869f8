using System.Diagnostics;
using Switchyard.Tests.Consumers;
using Switchyard.Tests.Support;
using Xunit;

namespace Switchyard.Tests.Diagnostics;

/// <summary>
/// The spans of sends and of handled messages carry the OpenTelemetry messaging conventions' attributes
/// (docs/observability.md). Each test keeps only the spans of its own trace.
/// </summary>
public sealed class MessagingSpanTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly InMemoryChannelLayer _layer = new(new ChannelLayerOptions { Capacity = 1000 });
    private readonly List<ConsumerRunner> _runners = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var runner in _runners)
        {
            runner.Stop();
            await runner.Completion.WaitAsync(Timeout);
        }

        await _layer.DisposeAsync();
    }

    [Fact]
    public async Task A_send_is_a_producer_span_named_for_its_channel_with_the_messaging_attributes()
    {
        using var spans = new SpanCollector();
        var message = ChannelMessage.Create(new TestMessage(1, "hello"));

        await _layer.SendAsync("orders", message, Ct);

        var send = Assert.Single(spans.Stopped);
        Assert.Equal("send orders", send.DisplayName);
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(spans.RootSpanId, send.ParentSpanId);
        Assert.Equal("switchyard", send.GetTagItem("messaging.system"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.name"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.type"));
        Assert.Equal("orders", send.GetTagItem("messaging.destination.name"));
        Assert.Null(send.GetTagItem("messaging.destination.temporary"));
        Assert.Equal(message.Payload.Length, send.GetTagItem("messaging.message.body.size"));
        Assert.Equal("test.message", send.GetTagItem("switchyard.message.type"));
        Assert.Equal("inmemory", send.GetTagItem("switchyard.layer"));
        Assert.Equal(ActivityStatusCode.Unset, send.Status);
    }

    [Fact]
    public async Task A_send_gives_the_message_a_new_id_that_its_span_and_the_receiver_see()
    {
        using var spans = new SpanCollector();

        await _layer.SendAsync("orders", ChannelMessage.Create(new TestMessage(1, "a")), Ct);
        await _layer.SendAsync("orders", ChannelMessage.Create(new TestMessage(2, "b")), Ct);
        var first = await _layer.ReceiveAsync("orders", Ct);
        var second = await _layer.ReceiveAsync("orders", Ct);

        Assert.True(first.Headers.TryGetValue(MessageHeaders.MessageId, out var firstId), "the received message has no id header");
        Assert.True(second.Headers.TryGetValue(MessageHeaders.MessageId, out var secondId));
        Assert.Matches("^[0-9a-f]{32}$", firstId);
        Assert.NotEqual(firstId, secondId);
        Assert.Equal([firstId, secondId], spans.Stopped.Select(s => (string?)s.GetTagItem("messaging.message.id")));
    }

    [Fact]
    public async Task A_message_that_has_an_id_keeps_it()
    {
        using var spans = new SpanCollector();
        var message = ChannelMessage.Create(new TestMessage(1, "outbox"), MessageHeaders.Empty.With(MessageHeaders.MessageId, "outbox-42"));

        await _layer.SendAsync("orders", message, Ct);
        var received = await _layer.ReceiveAsync("orders", Ct);

        Assert.True(received.Headers.TryGetValue(MessageHeaders.MessageId, out var id));
        Assert.Equal("outbox-42", id);
        Assert.Equal("outbox-42", Assert.Single(spans.Stopped).GetTagItem("messaging.message.id"));
    }

    [Fact]
    public async Task A_group_send_is_a_send_span_named_for_the_group_and_tells_the_members_the_group()
    {
        using var spans = new SpanCollector();
        await _layer.GroupAddAsync("room.lobby", "member", Ct);

        await _layer.GroupSendAsync("room.lobby", ChannelMessage.Create(new TestMessage(1, "hi")), Ct);
        var received = await _layer.ReceiveAsync("member", Ct);

        var send = Assert.Single(spans.Stopped);
        Assert.Equal("group_send room.lobby", send.DisplayName);
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal("group_send", send.GetTagItem("messaging.operation.name"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.type"));
        Assert.Equal("room.lobby", send.GetTagItem("messaging.destination.name"));
        Assert.True(received.Headers.TryGetValue(MessageHeaders.Group, out var group), "the member's message does not name its group");
        Assert.Equal("room.lobby", group);
        Assert.True(received.Headers.TryGetValue(MessageHeaders.MessageId, out var id));
        Assert.Equal(id, send.GetTagItem("messaging.message.id"));
    }

    [Fact]
    public async Task A_send_to_a_process_local_channel_is_temporary_and_anonymous_and_leaves_the_name_out_of_the_span_name()
    {
        var channel = await _layer.NewChannelAsync("ws", Ct);
        using var spans = new SpanCollector();

        await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(1, "to a connection")), Ct);

        var send = Assert.Single(spans.Stopped);
        Assert.Equal("send", send.DisplayName);
        Assert.Equal(channel, send.GetTagItem("messaging.destination.name"));
        Assert.Equal(true, send.GetTagItem("messaging.destination.temporary"));
        Assert.Equal(true, send.GetTagItem("messaging.destination.anonymous"));
    }

    [Fact]
    public async Task A_refused_send_is_an_error_span_with_its_error_type_and_exception()
    {
        await using var small = new InMemoryChannelLayer(new ChannelLayerOptions { Capacity = 1 });
        using var spans = new SpanCollector();
        await small.SendAsync("full", ChannelMessage.Create(new TestMessage(1, "fits")), Ct);

        await Assert.ThrowsAsync<ChannelFullException>(async () => await small.SendAsync("full", ChannelMessage.Create(new TestMessage(2, "no room")), Ct));

        var refused = spans.Stopped.Last();
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal(typeof(ChannelFullException).FullName, refused.GetTagItem("error.type"));
        Assert.Contains(refused.Events, e => e.Name == "exception");
        Assert.Null(spans.Stopped.First().GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_handled_message_is_a_process_span_named_for_the_channel_it_came_on_and_linked_to_its_send()
    {
        using var spans = new SpanCollector();
        Run(new ScriptedConsumer(), "jobs");

        await _layer.SendAsync("jobs", ChannelMessage.Create(new TestMessage(1, "work")), Ct);

        var process = await spans.WaitForAsync(ActivityKind.Consumer, Timeout);
        var send = Assert.Single(spans.Stopped, s => s.Kind == ActivityKind.Producer);
        Assert.Equal("process jobs", process.DisplayName);
        Assert.Equal(send.SpanId, process.ParentSpanId);
        Assert.Equal("switchyard", process.GetTagItem("messaging.system"));
        Assert.Equal("process", process.GetTagItem("messaging.operation.name"));
        Assert.Equal("process", process.GetTagItem("messaging.operation.type"));
        Assert.Equal("jobs", process.GetTagItem("messaging.destination.name"));
        Assert.Equal(send.GetTagItem("messaging.message.id"), process.GetTagItem("messaging.message.id"));
        Assert.NotNull(process.GetTagItem("messaging.message.id"));
        Assert.Equal(send.GetTagItem("messaging.message.body.size"), process.GetTagItem("messaging.message.body.size"));
        Assert.Equal("test.message", process.GetTagItem("switchyard.message.type"));
        Assert.Equal(nameof(ScriptedConsumer), process.GetTagItem("switchyard.consumer"));
        Assert.Equal(ActivityStatusCode.Unset, process.Status);
    }

    [Fact]
    public async Task A_group_message_handled_on_a_connection_channel_names_the_group_as_its_destination()
    {
        var joined = new ScriptedConsumer { OnStart = static (c, ct) => c.Join("room.lobby", ct) };
        Run(joined, await _layer.NewChannelAsync("ws", Ct));
        await joined.Started.Task.WaitAsync(Timeout, Ct);
        using var spans = new SpanCollector();

        await _layer.GroupSendAsync("room.lobby", ChannelMessage.Create(new TestMessage(1, "hi all")), Ct);

        var process = await spans.WaitForAsync(ActivityKind.Consumer, Timeout);
        Assert.Equal("process room.lobby", process.DisplayName);
        Assert.Equal("room.lobby", process.GetTagItem("messaging.destination.name"));
        Assert.Null(process.GetTagItem("messaging.destination.temporary"));
    }

    [Fact]
    public async Task A_message_sent_to_a_connection_channel_is_processed_at_a_temporary_destination()
    {
        var channel = await _layer.NewChannelAsync("ws", Ct);
        Run(new ScriptedConsumer(), channel);
        using var spans = new SpanCollector();

        await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(1, "direct")), Ct);

        var process = await spans.WaitForAsync(ActivityKind.Consumer, Timeout);
        Assert.Equal("process", process.DisplayName);
        Assert.Equal(channel, process.GetTagItem("messaging.destination.name"));
        Assert.Equal(true, process.GetTagItem("messaging.destination.temporary"));
        Assert.Equal(true, process.GetTagItem("messaging.destination.anonymous"));
    }

    [Fact]
    public async Task A_handler_that_throws_makes_an_error_span_with_its_error_type()
    {
        using var spans = new SpanCollector();
        Run(new ScriptedConsumer { OnMessage = static (_, _) => throw new InvalidOperationException("broken handler") }, "jobs.failing");

        await _layer.SendAsync("jobs.failing", ChannelMessage.Create(new TestMessage(1, "boom")), Ct);

        var process = await spans.WaitForAsync(ActivityKind.Consumer, Timeout);
        Assert.Equal(ActivityStatusCode.Error, process.Status);
        Assert.Equal("broken handler", process.StatusDescription);
        Assert.Equal(typeof(InvalidOperationException).FullName, process.GetTagItem("error.type"));
        Assert.Contains(process.Events, e => e.Name == "exception");
    }

    [Fact]
    public async Task A_posted_message_has_a_process_span_without_a_destination()
    {
        var consumer = new ScriptedConsumer();
        var runner = Run(consumer, "jobs.posted");
        await consumer.Started.Task.WaitAsync(Timeout, Ct);
        using var spans = new SpanCollector();

        Assert.True(await runner.PostAsync(ChannelMessage.Create(new TestMessage(1, "posted")), Ct));

        var process = await spans.WaitForAsync(ActivityKind.Consumer, Timeout);
        Assert.Equal("process", process.DisplayName);
        Assert.Null(process.GetTagItem("messaging.destination.name"));
        Assert.Equal("process", process.GetTagItem("messaging.operation.type"));
    }

    private ConsumerRunner Run(Consumer consumer, string channel)
    {
        var runner = new ConsumerRunner(consumer, new ConsumerScope(channel), _layer);
        _runners.Add(runner);
        _ = runner.RunAsync();
        return runner;
    }
}
