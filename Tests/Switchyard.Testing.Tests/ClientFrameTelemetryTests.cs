using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Xunit;

namespace Switchyard.Testing.Tests;

[Message("traced.ask")]
public sealed partial record Ask(string Text);

[Message("traced.answer")]
public sealed partial record Answer(string Text);

/// <summary>A JSON consumer whose client requests are traced: it answers, refuses "refuse", and group-sends on the way.</summary>
[WebSocketConsumer("/traced/")]
public sealed partial class TracedConsumer : JsonWebSocketConsumer
{
    [FromClient]
    public async ValueTask<Answer> Handle(Ask ask, CancellationToken cancellationToken)
    {
        if (ask.Text == "refuse")
        {
            throw new RequestFailedException("refused");
        }

        await GroupSendAsync("traced.echo", new Answer(ask.Text), cancellationToken);
        return new Answer(ask.Text);
    }
}

/// <summary>
/// A JSON consumer's handling of a client's frame is a <c>process</c> span, around the handler, and a
/// <c>messaging.process.duration</c> measurement (docs/observability.md).
/// </summary>
public sealed class ClientFrameTelemetryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_client_request_is_a_process_span_with_its_type_and_id_around_the_handler_s_sends()
    {
        using var stopped = new Signalled<Activity>();
        using var root = new Activity("client-frame-test").SetIdFormat(ActivityIdFormat.W3C);
        using var listener = Listen(stopped, () => root.TraceId);
        root.Start();
        await using var client = new WebSocketCommunicator(new TracedConsumer());
        Assert.True((await client.ConnectAsync()).IsAccepted);

        await client.SendTextAsync("""{"type":"traced.ask","text":"hello","$id":7}""");
        var answer = JsonDocument.Parse(await client.ReceiveTextAsync(Timeout)).RootElement;

        Assert.Equal(7, answer.GetProperty("$re").GetInt64());
        var process = await stopped.WaitForAsync(a => a.Kind == ActivityKind.Consumer);
        Assert.Equal("process", process.DisplayName);
        Assert.Equal("process", process.GetTagItem("messaging.operation.type"));
        Assert.Equal("traced.ask", process.GetTagItem("switchyard.message.type"));
        Assert.Equal("7", process.GetTagItem("messaging.message.id"));
        Assert.Equal(nameof(TracedConsumer), process.GetTagItem("switchyard.consumer"));
        Assert.Equal(true, process.GetTagItem("messaging.destination.temporary"));
        Assert.Equal(ActivityStatusCode.Unset, process.Status);
        var send = Assert.Single(stopped.Items, a => a.DisplayName == "group_send traced.echo");
        Assert.Equal(process.SpanId, send.ParentSpanId);
    }

    [Fact]
    public async Task A_refused_request_is_an_error_span_and_a_duration_with_its_error_type()
    {
        using var stopped = new Signalled<Activity>();
        using var durations = new Signalled<(double Value, Dictionary<string, object?> Tags)>();
        using var root = new Activity("client-frame-test").SetIdFormat(ActivityIdFormat.W3C);
        using var listener = Listen(stopped, () => root.TraceId);
        using var meters = ListenToDurations(durations);
        root.Start();
        await using var client = new WebSocketCommunicator(new TracedConsumer());
        Assert.True((await client.ConnectAsync()).IsAccepted);

        await client.SendTextAsync("""{"type":"traced.ask","text":"ok","$id":1}""");
        await client.ReceiveTextAsync(Timeout);
        await client.SendTextAsync("""{"type":"traced.ask","text":"refuse","$id":2}""");
        var refusal = JsonDocument.Parse(await client.ReceiveTextAsync(Timeout)).RootElement;

        Assert.Equal("switchyard.error", refusal.GetProperty("type").GetString());
        var refused = await stopped.WaitForAsync(a => a.Kind == ActivityKind.Consumer && (string?)a.GetTagItem("messaging.message.id") == "2");
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal(typeof(RequestFailedException).FullName, refused.GetTagItem("error.type"));

        // The durations of this test's consumer type only: other tests' consumers record on the same process-wide meter.
        var measured = await durations.WaitForAsync(2);
        var (answered, failed) = (measured[0], measured[1]);
        Assert.True(answered.Value > 0);
        Assert.Equal("traced.ask", answered.Tags["switchyard.message.type"]);
        Assert.Equal("process", answered.Tags["messaging.operation.name"]);
        Assert.False(answered.Tags.ContainsKey("error.type"));
        Assert.False(answered.Tags.ContainsKey("messaging.destination.name"));
        Assert.Equal(typeof(RequestFailedException).FullName, failed.Tags["error.type"]);
    }

    [Fact]
    public async Task A_frame_of_a_type_no_handler_takes_is_an_error_span_without_a_duration()
    {
        using var stopped = new Signalled<Activity>();
        using var root = new Activity("client-frame-test").SetIdFormat(ActivityIdFormat.W3C);
        using var listener = Listen(stopped, () => root.TraceId);
        root.Start();
        await using var client = new WebSocketCommunicator(new TracedConsumer());
        Assert.True((await client.ConnectAsync()).IsAccepted);

        await client.SendTextAsync("""{"type":"traced.nobody"}""");

        Assert.Equal(WebSocketCloseCodes.UnsupportedData, await client.ReceiveCloseAsync(Timeout));
        var refused = await stopped.WaitForAsync(a => a.Kind == ActivityKind.Consumer);
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal("unknown_type", refused.GetTagItem("error.type"));
        Assert.Equal("traced.nobody", refused.GetTagItem("switchyard.message.type"));
    }

    // Keeps the Switchyard spans of one trace (this test's), whatever other tests run meanwhile.
    private static ActivityListener Listen(Signalled<Activity> stopped, Func<ActivityTraceId> trace)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SwitchyardDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == trace())
                {
                    stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static MeterListener ListenToDurations(Signalled<(double Value, Dictionary<string, object?> Tags)> durations)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SwitchyardDiagnostics.MeterName && instrument.Name == "messaging.process.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var byKey = tags.ToArray().ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            if (byKey.TryGetValue("switchyard.consumer", out var consumer) && (string?)consumer == nameof(TracedConsumer))
            {
                durations.Add((value, byKey));
            }
        });
        listener.Start();
        return listener;
    }

    /// <summary>
    /// What a listener heard, with a signal per item: the spans end and the durations are recorded on the server's side
    /// after the client has its answer, so a test waits for them.
    /// </summary>
    private sealed class Signalled<T> : IDisposable
    {
        private readonly ConcurrentQueue<T> _items = new();
        private readonly SemaphoreSlim _added = new(0);

        public IReadOnlyCollection<T> Items => _items;

        public void Add(T item)
        {
            _items.Enqueue(item);
            _added.Release();
        }

        public async Task<T> WaitForAsync(Func<T, bool> match) => (await WaitForAsync(1, match))[0];

        public async Task<IReadOnlyList<T>> WaitForAsync(int count, Func<T, bool>? match = null)
        {
            using var deadline = new CancellationTokenSource(Timeout);
            while (true)
            {
                var found = _items.Where(match ?? (static _ => true)).ToArray();
                if (found.Length >= count)
                {
                    return found;
                }

                try
                {
                    await _added.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"{found.Length} of {count} item(s) after {Timeout}.");
                }
            }
        }

        public void Dispose() => _added.Dispose();
    }
}
