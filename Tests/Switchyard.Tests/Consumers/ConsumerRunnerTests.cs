using Xunit;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Tests.Support;

namespace Switchyard.Tests.Consumers;

public sealed class ConsumerRunnerTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly InMemoryChannelLayer _layer = new(new ChannelLayerOptions { Capacity = 1000 });
    private readonly CapturingLoggerProvider _logs = new();

    private static readonly AsyncLocal<string?> ThrowScope = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync() => await _layer.DisposeAsync();

    [Fact]
    public async Task A_stop_ends_a_waiting_receive_without_throwing()
    {
        // A mass close stops thousands of consumers at once, each waiting in a receive: no exception is thrown (and
        // rethrown through the awaits) for each of them (issue 12, row 4). Exceptions are counted only in the
        // runner's own execution context, so other tests running meanwhile do not count.
        var scope = Guid.NewGuid().ToString("N");
        var thrown = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void OnThrow(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (ThrowScope.Value == scope)
            {
                thrown.Enqueue(e.Exception);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += OnThrow;
        try
        {
            var consumer = new ScriptedConsumer();
            var channel = await _layer.NewChannelAsync(cancellationToken: Ct);
            ConsumerRunner runner;
            ThrowScope.Value = scope;
            try
            {
                runner = Run(consumer, channel);
            }
            finally
            {
                ThrowScope.Value = null;
            }

            await consumer.Started.Task.WaitAsync(Timeout, Ct);
            Assert.True(SpinWait.SpinUntil(() => _layer.GetWaitingReceives(channel) == 1, Timeout), "the consumer never waited in a receive");

            runner.Stop();
            Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
            Assert.Equal(0, _layer.GetWaitingReceives(channel));

            // The channel still works for whoever receives next: the stopped receive took nothing.
            await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(1, "after")), Ct);
            Assert.Equal(1, _layer.GetQueuedCount(channel));
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= OnThrow;
        }

        Assert.True(thrown.IsEmpty, "thrown on the stop path: " + string.Join("; ", thrown.Select(e => e.GetType().Name + ": " + e.Message)));
    }

    [Fact]
    public async Task Handlers_of_one_consumer_never_run_concurrently_and_see_messages_in_order()
    {
        const int Count = 300;
        var inFlight = 0;
        var maxInFlight = 0;
        var consumer = new ScriptedConsumer
        {
            OnMessage = async (message, _) =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref maxInFlight, now);
                await Task.Yield();
                Interlocked.Decrement(ref inFlight);
            },
        };
        var channel = await _layer.NewChannelAsync(cancellationToken: Ct);
        var runner = Run(consumer, channel);

        // Messages arrive both from the layer and posted by a "server" at the same time.
        var fromLayer = Task.Run(
            async () =>
            {
                for (var i = 0; i < Count; i += 2)
                {
                    await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(i, "layer")), Ct);
                }
            },
            Ct);
        for (var i = 1; i < Count; i += 2)
        {
            Assert.True(await runner.PostAsync(ChannelMessage.Create(new TestMessage(i, "posted")), Ct));
        }

        await fromLayer.WaitAsync(Timeout, Ct);
        await consumer.WaitForHandledAsync(Count, Timeout);
        Assert.Equal(1, maxInFlight);
        var fromLayerOrder = consumer.Handled.Where(m => m.Text == "layer").Select(m => m.Id).ToArray();
        var postedOrder = consumer.Handled.Where(m => m.Text == "posted").Select(m => m.Id).ToArray();
        Assert.Equal(fromLayerOrder.Order(), fromLayerOrder);
        Assert.Equal(postedOrder.Order(), postedOrder);
        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task A_handler_exception_is_logged_and_stops_only_that_consumer_which_leaves_its_groups()
    {
        var failing = new ScriptedConsumer
        {
            OnStart = (c, ct) => c.Join("room.1", ct),
            OnMessage = (m, _) => m.Text == "boom" ? throw new InvalidOperationException("handler bug") : default,
        };
        var healthy = new ScriptedConsumer { OnStart = (c, ct) => c.Join("room.1", ct) };
        var failingRunner = Run(failing, await _layer.NewChannelAsync(cancellationToken: Ct));
        var healthyRunner = Run(healthy, await _layer.NewChannelAsync(cancellationToken: Ct));
        await Task.WhenAll(failing.Started.Task, healthy.Started.Task).WaitAsync(Timeout, Ct);

        await _layer.SendAsync(failing.ChannelName, ChannelMessage.Create(new TestMessage(1, "boom")), Ct);

        Assert.Equal(ConsumerStopReason.Faulted, await failingRunner.Completion.WaitAsync(Timeout, Ct));
        Assert.Equal(ConsumerStopReason.Faulted, await failing.Stopped.Task.WaitAsync(Timeout, Ct));
        Assert.Empty(failing.GroupsAtStop);
        var logged = Assert.Single(_logs.WithEvent("HandlerFailed"));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.IsType<InvalidOperationException>(logged.Exception);
        Assert.Contains("test.message", logged.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ScriptedConsumer), logged.Message, StringComparison.Ordinal);

        // The other consumer, and the group, carry on without the failed member.
        var result = await _layer.GroupSendAsync("room.1", ChannelMessage.Create(new TestMessage(2, "after")), Ct);
        Assert.Equal(new GroupSendResult(1, 0), result);
        await healthy.WaitForHandledAsync(1, Timeout);
        Assert.False(healthyRunner.Completion.IsCompleted);
        healthyRunner.Stop();
        await healthyRunner.Completion.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task An_unknown_message_type_is_logged_and_skipped_and_the_consumer_keeps_going()
    {
        var consumer = new ScriptedConsumer();
        var runner = Run(consumer, await _layer.NewChannelAsync(cancellationToken: Ct));
        await _layer.SendAsync(consumer.ChannelName, new ChannelMessage("chat.unknown", new byte[] { 1 }), Ct);
        await _layer.SendAsync(consumer.ChannelName, ChannelMessage.Create(new TestMessage(7, "next")), Ct);

        await consumer.WaitForHandledAsync(1, Timeout);
        Assert.Equal(["chat.unknown"], consumer.Unhandled);
        var logged = Assert.Single(_logs.WithEvent("UnhandledMessage"));
        Assert.Contains("chat.unknown", logged.Message, StringComparison.Ordinal);
        Assert.False(runner.Completion.IsCompleted);
        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public void A_consumer_without_a_generated_dispatcher_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ConsumerRunner(new ConsumerWithoutDispatcher(), new ConsumerScope("worker.jobs"), _layer));
        Assert.Contains(nameof(ConsumerWithoutDispatcher), error.Message, StringComparison.Ordinal);
        Assert.Contains("partial", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(IConsumerDispatcher), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_consumer_instance_serves_one_runner_and_a_runner_runs_once()
    {
        var consumer = new ScriptedConsumer();
        var runner = new ConsumerRunner(consumer, new ConsumerScope("worker.jobs"), _layer);
        var reuse = Assert.Throws<InvalidOperationException>(() => new ConsumerRunner(consumer, new ConsumerScope("worker.other"), _layer));
        Assert.Contains("one consumer instance per connection", reuse.Message, StringComparison.Ordinal);

        var run = runner.RunAsync(Ct);
        Assert.Throws<InvalidOperationException>(() => { _ = runner.RunAsync(Ct); });
        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await run.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public void A_consumer_that_is_not_started_explains_itself()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ScriptedConsumer().ChannelName);
        Assert.Contains("has not been started", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_wait_on_the_channel_until_the_consumer_is_free()
    {
        var (consumer, firstTaken, gate) = GatedConsumer();
        var channel = await _layer.NewChannelAsync(cancellationToken: Ct);
        var runner = Run(consumer, channel);
        for (var i = 0; i < 5; i++)
        {
            await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(i, "queued")), Ct);
        }

        await firstTaken.Task.WaitAsync(Timeout, Ct);
        // The consumer holds only the message it is handling; the other four wait on the channel for it (or a sibling).
        Assert.Equal(4, _layer.GetQueuedCount(channel));
        gate.SetResult();

        await consumer.WaitForHandledAsync(5, Timeout);
        Assert.Equal([0, 1, 2, 3, 4], consumer.Handled.Select(m => m.Id));
        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task A_posted_message_waits_for_the_handler_in_flight_and_returns_once_handled()
    {
        var (consumer, firstTaken, gate) = GatedConsumer();
        var channel = await _layer.NewChannelAsync(cancellationToken: Ct);
        var runner = Run(consumer, channel);
        await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(0, "layer")), Ct);
        await firstTaken.Task.WaitAsync(Timeout, Ct);

        var posted = runner.PostAsync(ChannelMessage.Create(new TestMessage(1, "posted")), Ct).AsTask();
        await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(2, "layer")), Ct);
        // The handler of message 0 holds the turn until the test opens the gate: the post cannot have been handled.
        Assert.False(posted.IsCompleted);
        gate.SetResult();

        Assert.True(await posted.WaitAsync(Timeout, Ct));
        Assert.Contains(consumer.Handled, m => m.Id == 1);
        await consumer.WaitForHandledAsync(3, Timeout);
        // The post had its turn right after the handler in flight, before the next message from the channel.
        Assert.Equal([0, 1, 2], consumer.Handled.Select(m => m.Id));
        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Nothing_is_handled_before_the_start_hook_has_returned()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startedHook = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new ScriptedConsumer
        {
            OnStart = async (_, _) =>
            {
                startedHook.TrySetResult();
                await release.Task;
            },
        };
        var channel = await _layer.NewChannelAsync(cancellationToken: Ct);
        var runner = Run(consumer, channel);
        await startedHook.Task.WaitAsync(Timeout, Ct);

        var posted = runner.PostAsync(ChannelMessage.Create(new TestMessage(0, "posted")), Ct).AsTask();
        await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(1, "layer")), Ct);
        Assert.False(posted.IsCompleted);
        Assert.Empty(consumer.Handled);
        release.SetResult();

        Assert.True(await posted.WaitAsync(Timeout, Ct));
        await consumer.WaitForHandledAsync(2, Timeout);
        Assert.Equal([0, 1], consumer.Handled.Select(m => m.Id));
        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task Graceful_shutdown_finishes_the_handler_in_flight_and_leaves_the_rest_on_the_channel_for_the_next_consumer()
    {
        using var meters = new TestMeterFactory();
        using var metrics = new MetricCollector(meters);
        var (consumer, firstTaken, gate) = GatedConsumer();
        using var shutdown = new CancellationTokenSource();
        var runner = RunUntil(consumer, "worker.jobs", null, meters, shutdown.Token);
        for (var i = 0; i < 3; i++)
        {
            await _layer.SendAsync("worker.jobs", ChannelMessage.Create(new TestMessage(i, "work")), Ct);
        }

        await firstTaken.Task.WaitAsync(Timeout, Ct);
        await shutdown.CancelAsync();
        Assert.False(runner.Completion.IsCompleted);
        gate.SetResult();

        Assert.Equal(ConsumerStopReason.Shutdown, await runner.Completion.WaitAsync(Timeout, Ct));
        Assert.Equal([0], consumer.Handled.Select(m => m.Id));
        Assert.Equal(2, _layer.GetQueuedCount("worker.jobs"));
        Assert.Empty(_logs.WithEvent("MessageDropped"));
        Assert.Equal(0, metrics.Total("switchyard.consumer.messages.dropped"));

        // The next consumer on the channel (a restarted worker, a sibling) gets them, in order.
        var next = new ScriptedConsumer();
        var nextRunner = Run(next, "worker.jobs");
        await next.WaitForHandledAsync(2, Timeout);
        Assert.Equal([1, 2], next.Handled.Select(m => m.Id));
        nextRunner.Stop();
        await nextRunner.Completion.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task Graceful_shutdown_still_handles_a_message_already_taken_off_the_channel()
    {
        await using var layer = new FlakyLayer();
        var (consumer, firstTaken, gate) = GatedConsumer();
        using var shutdown = new CancellationTokenSource();
        var runner = new ConsumerRunner(consumer, new ConsumerScope("worker.jobs"), layer, null, _logs);
        _ = runner.RunAsync(shutdown.Token);

        // A posted message holds the turn; meanwhile the runner takes the next message off the channel and waits with it.
        var posted = runner.PostAsync(ChannelMessage.Create(new TestMessage(0, "posted")), Ct).AsTask();
        await firstTaken.Task.WaitAsync(Timeout, Ct);
        await layer.SendAsync("worker.jobs", ChannelMessage.Create(new TestMessage(1, "in hand")), Ct);
        Assert.Equal(TestMessage.MessageType, await layer.Receives.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        await shutdown.CancelAsync();
        gate.SetResult();

        Assert.True(await posted.WaitAsync(Timeout, Ct));
        Assert.Equal(ConsumerStopReason.Shutdown, await runner.Completion.WaitAsync(Timeout, Ct));
        // It cannot go back to the channel, so the drain handles it rather than lose it.
        Assert.Equal([0, 1], consumer.Handled.Select(m => m.Id));
        Assert.Empty(_logs.WithEvent("MessageDropped"));
    }

    [Fact]
    public async Task Shutdown_cancels_a_handler_that_outlasts_the_drain_timeout_without_calling_it_a_fault()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new ScriptedConsumer
        {
            OnMessage = async (m, ct) =>
            {
                started.TrySetResult();
                try
                {
                    await Task.Delay(System.Threading.Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled.TrySetResult();
                    throw;
                }
            },
        };
        using var shutdown = new CancellationTokenSource();
        var runner = RunUntil(consumer, "worker.jobs", new ConsumerOptions { DrainTimeout = TimeSpan.FromMilliseconds(50) }, null, shutdown.Token);
        await _layer.SendAsync("worker.jobs", ChannelMessage.Create(new TestMessage(0, "never ends")), Ct);
        await started.Task.WaitAsync(Timeout, Ct);
        await _layer.SendAsync("worker.jobs", ChannelMessage.Create(new TestMessage(1, "waits on the channel")), Ct);

        await shutdown.CancelAsync();

        Assert.Equal(ConsumerStopReason.Shutdown, await runner.Completion.WaitAsync(Timeout, Ct));
        // The stop hook ran only after the cancelled handler returned.
        Assert.True(cancelled.Task.IsCompleted);
        Assert.Equal(ConsumerStopReason.Shutdown, await consumer.Stopped.Task.WaitAsync(Timeout, Ct));
        Assert.Empty(_logs.WithEvent("HandlerFailed"));
        Assert.Empty(consumer.Handled);
        Assert.Equal(1, _layer.GetQueuedCount("worker.jobs"));
    }

    [Fact]
    public async Task Stop_waits_for_the_handler_in_flight_and_posts_from_then_on_are_refused_counted_and_logged()
    {
        using var meters = new TestMeterFactory();
        using var metrics = new MetricCollector(meters);
        await using var layer = new FlakyLayer();
        var (consumer, firstTaken, gate) = GatedConsumer();
        var runner = new ConsumerRunner(consumer, new ConsumerScope("worker.jobs"), layer, null, _logs, meters);
        _ = runner.RunAsync(Ct);
        var inFlight = runner.PostAsync(ChannelMessage.Create(new TestMessage(0, "in flight")), Ct).AsTask();
        await firstTaken.Task.WaitAsync(Timeout, Ct);
        var waiting = runner.PostAsync(ChannelMessage.Create(new TestMessage(1, "waits its turn")), Ct).AsTask();

        runner.Stop();
        Assert.Equal("cancelled", await layer.Receives.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));
        // Refused at once: a post to a stopping consumer does not wait for the handler in flight.
        Assert.False(await runner.PostAsync(ChannelMessage.Create(new TestMessage(2, "while stopping")), Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.False(runner.Completion.IsCompleted);
        gate.SetResult();

        Assert.True(await inFlight.WaitAsync(Timeout, Ct));
        Assert.False(await waiting.WaitAsync(Timeout, Ct));
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
        Assert.False(await runner.PostAsync(ChannelMessage.Create(new TestMessage(3, "after the stop")), Ct));

        // The stop hook ran only once the handler in flight had returned.
        Assert.Equal(1, consumer.HandledAtStop);
        Assert.Equal([0], consumer.Handled.Select(m => m.Id));
        Assert.Equal(3, metrics.Total("switchyard.consumer.messages.dropped", "reason", ConsumerMetrics.ReasonConsumerStopped));
        Assert.Equal(3, _logs.WithEvent("MessageDropped").Count());
    }

    [Fact]
    public async Task A_message_taken_off_the_channel_when_Stop_comes_is_counted_and_logged_as_dropped()
    {
        using var meters = new TestMeterFactory();
        using var metrics = new MetricCollector(meters);
        await using var layer = new FlakyLayer();
        var (consumer, firstTaken, gate) = GatedConsumer();
        var runner = new ConsumerRunner(consumer, new ConsumerScope("worker.jobs"), layer, null, _logs, meters);
        _ = runner.RunAsync(Ct);
        var posted = runner.PostAsync(ChannelMessage.Create(new TestMessage(0, "posted")), Ct).AsTask();
        await firstTaken.Task.WaitAsync(Timeout, Ct);
        await layer.SendAsync("worker.jobs", ChannelMessage.Create(new TestMessage(1, "in hand")), Ct);
        Assert.Equal(TestMessage.MessageType, await layer.Receives.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct));

        runner.Stop();
        gate.SetResult();

        Assert.True(await posted.WaitAsync(Timeout, Ct));
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
        Assert.Equal([0], consumer.Handled.Select(m => m.Id));
        Assert.Equal(1, metrics.Total("switchyard.consumer.messages.dropped", "reason", ConsumerMetrics.ReasonConsumerStopped));
        Assert.Contains(TestMessage.MessageType, Assert.Single(_logs.WithEvent("MessageDropped")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopConsumer_ends_the_consumer_after_the_current_handler()
    {
        ScriptedConsumer? self = null;
        var consumer = self = new ScriptedConsumer
        {
            OnMessage = (m, _) =>
            {
                if (m.Text == "stop")
                {
                    self!.StopConsumer();
                }

                return default;
            },
        };
        var channel = await _layer.NewChannelAsync(cancellationToken: Ct);
        var runner = Run(consumer, channel);
        await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(0, "stop")), Ct);

        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
        Assert.Equal([0], consumer.Handled.Select(m => m.Id));
        Assert.Equal(ConsumerStopReason.Requested, await consumer.Stopped.Task.WaitAsync(Timeout, Ct));

        // Nobody receives on the channel any more: the next message stays on the layer, it is not swallowed.
        await _layer.SendAsync(channel, ChannelMessage.Create(new TestMessage(1, "later")), Ct);
        Assert.Equal(1, _layer.GetQueuedCount(channel));
    }

    [Fact]
    public async Task A_failing_start_hook_is_logged_and_the_consumer_still_gets_its_stop_hook()
    {
        var consumer = new ScriptedConsumer { OnStart = (_, _) => throw new InvalidOperationException("cannot start") };
        var runner = Run(consumer, "worker.jobs");

        Assert.Equal(ConsumerStopReason.Faulted, await runner.Completion.WaitAsync(Timeout, Ct));
        Assert.Equal(ConsumerStopReason.Faulted, await consumer.Stopped.Task.WaitAsync(Timeout, Ct));
        Assert.Contains(nameof(Consumer.OnStartedAsync), Assert.Single(_logs.WithEvent("LifecycleHookFailed")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_the_layer_stops_its_consumers()
    {
        var consumer = new ScriptedConsumer();
        var runner = Run(consumer, await _layer.NewChannelAsync(cancellationToken: Ct));
        await _layer.CloseAsync();
        Assert.Equal(ConsumerStopReason.LayerClosed, await runner.Completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task The_consumer_hears_when_its_layer_loses_its_connection_and_when_it_is_back()
    {
        await using var layer = new FlakyLayer();
        var consumer = new ScriptedConsumer();
        var runner = new ConsumerRunner(consumer, new ConsumerScope("jobs.flaky"), layer, null, _logs);
        _ = runner.RunAsync(Ct);
        await consumer.Started.Task.WaitAsync(Timeout, Ct);
        Assert.True(layer.IsConnected);

        layer.Disconnect(new IOException("server went away"));
        Assert.Equal("disconnected: server went away", await NextLayerEventAsync(consumer));
        Assert.False(layer.IsConnected);
        layer.Reconnect();
        Assert.Equal("reconnected", await NextLayerEventAsync(consumer));

        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task After_a_reconnect_the_consumer_joins_its_groups_again_in_case_the_backend_forgot_them()
    {
        await using var layer = new FlakyLayer();
        var (consumer, runner) = await StartRoomMemberAsync(layer);

        layer.Disconnect(new IOException("server restarted"));
        await layer.FlushAsync(Ct);
        Assert.Equal(new GroupSendResult(0, 0), await layer.GroupSendAsync("room", ChannelMessage.Create(new TestMessage(0, "lost")), Ct));
        layer.Reconnect();
        Assert.Equal("disconnected: server restarted", await NextLayerEventAsync(consumer));
        Assert.Equal("reconnected", await NextLayerEventAsync(consumer));

        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync("room", ChannelMessage.Create(new TestMessage(1, "back")), Ct));
        await consumer.WaitForHandledAsync(1, Timeout);
        Assert.Equal("back", consumer.Handled.Single().Text);
        runner.Stop();
    }

    [Fact]
    public async Task A_rejoin_that_fails_while_the_layer_stays_connected_is_tried_again_without_waiting_for_another_reconnect()
    {
        await using var layer = new FlakyLayer();
        var (consumer, runner) = await StartRoomMemberAsync(layer);

        layer.Disconnect(new IOException("server restarted"));
        await layer.FlushAsync(Ct);
        layer.FailGroupAdds(2);
        layer.Reconnect();
        Assert.Equal("disconnected: server restarted", await NextLayerEventAsync(consumer));

        // Two joins fail (logged, each with when it tries again); the third, half a second and then a second later, holds.
        Assert.Equal("reconnected", await NextLayerEventAsync(consumer));
        var failures = _logs.WithEvent("GroupRejoinFailed").Select(l => l.Message).ToArray();
        Assert.Equal(2, failures.Length);
        Assert.Contains("tries again in 0.5 s", failures[0], StringComparison.Ordinal);
        Assert.Contains("tries again in 1 s", failures[1], StringComparison.Ordinal);
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync("room", ChannelMessage.Create(new TestMessage(1, "back")), Ct));
        await consumer.WaitForHandledAsync(1, Timeout);
        runner.Stop();
    }

    [Fact]
    public async Task A_rejoin_retry_gives_way_when_the_layer_is_lost_again()
    {
        await using var layer = new FlakyLayer();
        var (consumer, runner) = await StartRoomMemberAsync(layer);

        layer.Disconnect(new IOException("server restarted"));
        layer.FailGroupAdds(int.MaxValue);
        layer.Reconnect();
        Assert.Equal("disconnected: server restarted", await NextLayerEventAsync(consumer));
        await _logs.WaitForEventAsync("GroupRejoinFailed", Timeout);

        // Lost again while the rejoin keeps failing: its retries give way; the next reconnect rejoins, and the consumer
        // hears of it once.
        layer.Disconnect(new IOException("lost again"));
        Assert.Equal("disconnected: lost again", await NextLayerEventAsync(consumer));
        layer.FailGroupAdds(0);
        layer.Reconnect();
        Assert.Equal("reconnected", await NextLayerEventAsync(consumer));
        runner.Stop();
        Assert.Equal(ConsumerStopReason.Requested, await runner.Completion.WaitAsync(Timeout, Ct));
        Assert.False(consumer.LayerEvents.Reader.TryRead(out var extra), $"The consumer heard more: {extra}");
    }

    // A consumer in group "room" on the flaky layer, started.
    private async Task<(ScriptedConsumer Consumer, ConsumerRunner Runner)> StartRoomMemberAsync(FlakyLayer layer)
    {
        var consumer = new ScriptedConsumer { OnStart = static (c, ct) => c.Join("room", ct) };
        var runner = new ConsumerRunner(consumer, new ConsumerScope("member.flaky"), layer, null, _logs);
        _ = runner.RunAsync(Ct);
        await consumer.Started.Task.WaitAsync(Timeout, Ct);
        return (consumer, runner);
    }

    private static Task<string> NextLayerEventAsync(ScriptedConsumer consumer) =>
        consumer.LayerEvents.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct);

    [Fact]
    public async Task Group_membership_lasts_while_the_consumer_runs()
    {
        var consumer = new ScriptedConsumer { OnStart = (c, ct) => c.Join("liveblog.demo", ct) };
        var runner = Run(consumer, await _layer.NewChannelAsync(cancellationToken: Ct));
        await consumer.Started.Task.WaitAsync(Timeout, Ct);
        Assert.Equal(["liveblog.demo"], consumer.Groups);

        runner.Stop();
        await runner.Completion.WaitAsync(Timeout, Ct);
        var after = await _layer.GroupSendAsync("liveblog.demo", ChannelMessage.Create(new TestMessage(1, "x")), Ct);
        Assert.Equal(0, after.Members);
    }

    [Fact]
    public async Task Leaving_a_group_stops_its_messages()
    {
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ScriptedConsumer? self = null;
        var consumer = self = new ScriptedConsumer
        {
            OnStart = (c, ct) => c.Join("room.2", ct),
            OnMessage = async (m, ct) =>
            {
                if (m.Text == "leave")
                {
                    await self!.Leave("room.2", ct);
                    left.TrySetResult();
                }
            },
        };
        var runner = Run(consumer, await _layer.NewChannelAsync(cancellationToken: Ct));
        await consumer.Started.Task.WaitAsync(Timeout, Ct);
        await _layer.SendAsync(consumer.ChannelName, ChannelMessage.Create(new TestMessage(0, "leave")), Ct);
        await left.Task.WaitAsync(Timeout, Ct);

        Assert.Empty(consumer.Groups);
        Assert.Equal(0, (await _layer.GroupSendAsync("room.2", ChannelMessage.Create(new TestMessage(1, "x")), Ct)).Members);
        runner.Stop();
        await runner.Completion.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task Worker_consumers_on_one_named_channel_share_the_work_and_answer_on_reply_channels()
    {
        const int Jobs = 300;
        var replyChannel = await _layer.NewChannelAsync("client", Ct);
        // Each worker answers a job on the reply channel named in the job's text.
        var runners = Enumerable.Range(0, 3).Select(_ =>
        {
            var worker = new WorkerConsumer();
            return (worker, runner: Run(worker, "thumbnails.generate"));
        }).ToArray();

        for (var i = 0; i < Jobs; i++)
        {
            await _layer.SendAsync("thumbnails.generate", ChannelMessage.Create(new TestMessage(i, replyChannel)), Ct);
        }

        var replies = new List<int>();
        for (var i = 0; i < Jobs; i++)
        {
            var reply = await _layer.ReceiveAsync(replyChannel, Ct).AsTask().WaitAsync(Timeout, Ct);
            replies.Add(reply.Read<TestMessage>().Id);
        }

        Assert.Equal(Enumerable.Range(0, Jobs), replies.Order());
        Assert.Equal(Jobs, runners.Sum(r => r.worker.HandledCount));
        foreach (var (_, runner) in runners)
        {
            runner.Stop();
            await runner.Completion.WaitAsync(Timeout, Ct);
        }
    }

    [Fact]
    public async Task A_trace_started_by_the_sender_continues_in_the_handler()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SwitchyardDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var seen = new TaskCompletionSource<(ActivityTraceId TraceId, ActivityKind Kind)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new ScriptedConsumer
        {
            OnMessage = (_, _) =>
            {
                seen.TrySetResult((Activity.Current!.TraceId, Activity.Current.Kind));
                return default;
            },
        };
        var runner = Run(consumer, await _layer.NewChannelAsync(cancellationToken: Ct));

        ActivityTraceId senderTrace;
        using (var request = new Activity("incoming request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            senderTrace = request.TraceId;
            await _layer.SendAsync(consumer.ChannelName, ChannelMessage.Create(new TestMessage(1, "traced")), Ct);
        }

        var (traceId, kind) = await seen.Task.WaitAsync(Timeout, Ct);
        Assert.Equal(senderTrace, traceId);
        Assert.Equal(ActivityKind.Consumer, kind);
        runner.Stop();
        await runner.Completion.WaitAsync(Timeout, Ct);
    }

    [Fact]
    public void Consumer_options_are_validated_with_the_option_named()
    {
        Assert.Contains(nameof(ConsumerOptions.DrainTimeout), Assert.Throws<ArgumentException>(() => new ConsumerOptions { DrainTimeout = TimeSpan.FromSeconds(-1) }.Validate()).Message, StringComparison.Ordinal);
    }

    private ConsumerRunner Run(Consumer consumer, string channel, ConsumerOptions? options = null, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null) =>
        RunUntil(consumer, channel, options, meterFactory, CancellationToken.None);

    private ConsumerRunner RunUntil(Consumer consumer, string channel, ConsumerOptions? options, System.Diagnostics.Metrics.IMeterFactory? meterFactory, CancellationToken stoppingToken)
    {
        var runner = new ConsumerRunner(consumer, new ConsumerScope(channel), _layer, options, _logs, meterFactory);
        _ = runner.RunAsync(stoppingToken);
        return runner;
    }

    // A consumer whose handlers wait at a gate: the test knows when the first message is being handled and decides
    // when handlers may finish, so whatever comes meanwhile waits deterministically.
    private static (ScriptedConsumer Consumer, TaskCompletionSource FirstTaken, TaskCompletionSource Gate) GatedConsumer()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new ScriptedConsumer
        {
            OnMessage = async (_, _) =>
            {
                firstTaken.TrySetResult();
                await gate.Task;
            },
        };
        return (consumer, firstTaken, gate);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class WorkerConsumer : ChannelConsumer, IConsumerDispatcher
    {
        private int _handled;

        public int HandledCount => Volatile.Read(ref _handled);

        bool IConsumerDispatcher.TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
        {
            if (message.Type == TestMessage.MessageType)
            {
                handling = Handle(message.Read<TestMessage>(), cancellationToken);
                return true;
            }

            handling = default;
            return false;
        }

        private async ValueTask Handle(TestMessage job, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _handled);
            await SendToChannelAsync(job.Text, new TestMessage(job.Id, "done"), cancellationToken);
        }
    }
}
