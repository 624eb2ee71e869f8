using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchyard.ChannelLayers.Specification;
using Xunit;

namespace Switchyard.Tests.Layers;

/// <summary>What only the in-memory layer promises: shared payloads, the sweep, and its log events.</summary>
public sealed class InMemoryChannelLayerTests : IDisposable
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(5);

    private readonly ManualTimeProvider _time = new();
    private readonly TestMeterFactory _meters = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public InMemoryChannelLayerTests()
    {
        _loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task On_the_system_clock_a_message_expires_after_the_expiry_and_not_before()
    {
        // The system clock path counts milliseconds (Environment.TickCount64); wait on that clock itself, no sleep.
        await using var layer = new InMemoryChannelLayer(new ChannelLayerOptions { Expiry = TimeSpan.FromMilliseconds(500) }, meterFactory: _meters);
        var sent = Environment.TickCount64;
        await layer.SendAsync("clock.fresh", new ChannelMessage("spec.message", new byte[] { 1 }), TestContext.Current.CancellationToken);
        await layer.SendAsync("clock.stale", new ChannelMessage("spec.message", new byte[] { 2 }), TestContext.Current.CancellationToken);

        var fresh = await layer.ReceiveAsync("clock.fresh", TestContext.Current.CancellationToken).AsTask().WaitAsync(WaitTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(1, fresh.Payload.Span[0]);
        Assert.True(SpinWait.SpinUntil(() => Environment.TickCount64 > sent + 600, WaitTimeout));

        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        quiet.CancelAfter(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await layer.ReceiveAsync("clock.stale", quiet.Token));
        Assert.Equal(0, layer.GetQueuedCount("clock.stale"));
    }

    [Fact]
    public async Task A_group_send_to_1000_members_hands_every_member_the_same_payload_bytes()
    {
        await using var layer = NewLayer();
        var payload = Encoding.UTF8.GetBytes("serialize once, fan out");
        var members = Enumerable.Range(0, 1_000).Select(i => $"member.{i}").ToArray();
        foreach (var member in members)
        {
            await layer.GroupAddAsync("everyone", member, TestContext.Current.CancellationToken);
        }

        var result = await layer.GroupSendAsync("everyone", new ChannelMessage("chat.message", payload), TestContext.Current.CancellationToken);

        Assert.Equal(new GroupSendResult(1_000, 0), result);
        foreach (var member in members)
        {
            var received = await ReceiveAsync(layer, member);
            Assert.True(MemoryMarshal.TryGetArray(received.Payload, out var segment), "The payload is not array-backed.");
            Assert.Same(payload, segment.Array);
            Assert.Equal(0, segment.Offset);
            Assert.Equal(payload.Length, segment.Count);
        }
    }

    [Fact]
    public async Task A_direct_send_hands_the_receiver_the_sender_payload_bytes_without_copying()
    {
        await using var layer = NewLayer();
        var payload = new byte[4096];

        await layer.SendAsync("direct", new ChannelMessage("chat.message", payload), TestContext.Current.CancellationToken);
        var received = await ReceiveAsync(layer, "direct");

        Assert.True(MemoryMarshal.TryGetArray(received.Payload, out var segment));
        Assert.Same(payload, segment.Array);
    }

    [Fact]
    public async Task An_abandoned_channel_is_dropped_at_once_when_empty_and_kept_while_it_holds_messages()
    {
        // A closed WebSocket's channel: its queue goes at the close, not a minute later in the sweep (issue 12, row 4).
        await using var layer = NewLayer();
        var ct = TestContext.Current.CancellationToken;
        var empty = await layer.NewChannelAsync("ws", ct);
        using (var stop = new CancellationTokenSource())
        {
            var receive = layer.ReceiveAsync(empty, stop.Token).AsTask();
            Assert.Equal(1, layer.GetWaitingReceives(empty));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.WaitAsync(WaitTimeout, ct));
        }

        Assert.True(layer.HoldsChannel(empty));
        layer.OnChannelAbandoned(empty);
        Assert.False(layer.HoldsChannel(empty));

        // Unread messages stay until they expire, as on any channel.
        var holding = await layer.NewChannelAsync("ws", ct);
        await layer.SendAsync(holding, new ChannelMessage("chat.message", new byte[] { 1 }), ct);
        layer.OnChannelAbandoned(holding);
        Assert.True(layer.HoldsChannel(holding));
        Assert.Equal(1, layer.GetQueuedCount(holding));

        // A receive still waiting keeps its channel too.
        var waited = await layer.NewChannelAsync("ws", ct);
        var pending = layer.ReceiveAsync(waited, ct).AsTask();
        layer.OnChannelAbandoned(waited);
        Assert.True(layer.HoldsChannel(waited));

        // A dropped channel is an ordinary name again: a later send queues as it would have.
        await layer.SendAsync(empty, new ChannelMessage("chat.message", new byte[] { 2 }), ct);
        Assert.Equal(1, layer.GetQueuedCount(empty));
        await layer.SendAsync(waited, new ChannelMessage("chat.message", new byte[] { 3 }), ct);
        Assert.Equal(3, (await pending.WaitAsync(WaitTimeout, ct)).Payload.Span[0]);
    }

    [Fact]
    public async Task Sweep_removes_expired_unread_messages_and_counts_them()
    {
        using var metrics = new MetricCollector(_meters);
        await using var layer = NewLayer(new ChannelLayerOptions { Expiry = TimeSpan.FromSeconds(60) });

        // Sent off the sweep timer's 10 s beat, so the expiry falls between two timer sweeps.
        _time.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 3; i++)
        {
            await layer.SendAsync("unread", Message($"m{i}"), TestContext.Current.CancellationToken);
        }

        _time.Advance(TimeSpan.FromSeconds(60));

        // Expired but not yet swept: still held, and not yet counted.
        Assert.Equal(3, layer.GetQueuedCount("unread"));
        Assert.Equal(0, metrics.Total("switchyard.layer.messages.expired"));

        layer.Sweep();

        Assert.Equal(0, layer.GetQueuedCount("unread"));
        Assert.Equal(3, metrics.Total("switchyard.layer.messages.expired"));
        var expired = Assert.Single(_logs.Entries, e => e.EventName == "MessagesExpired");
        Assert.Contains("'unread'", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sweep_timer_removes_expired_unread_messages_and_the_channel_stays_in_its_groups()
    {
        using var metrics = new MetricCollector(_meters);
        await using var layer = NewLayer(new ChannelLayerOptions { Expiry = TimeSpan.FromSeconds(60) });
        await layer.GroupAddAsync("room", "unread", TestContext.Current.CancellationToken);
        await layer.GroupAddAsync("lobby", "unread", TestContext.Current.CancellationToken);
        await layer.SendAsync("unread", Message("never read"), TestContext.Current.CancellationToken);
        await layer.SendAsync("unread", Message("never read either"), TestContext.Current.CancellationToken);
        Assert.Equal(2, layer.GetQueuedCount("unread"));

        // The sweep period is min(Expiry, GroupExpiry) / 2 clamped to [50 ms, 10 s]: 10 s here.
        _time.Advance(TimeSpan.FromSeconds(60) + TimeSpan.FromSeconds(10));

        Assert.Equal(0, layer.GetQueuedCount("unread"));
        Assert.Equal(2, metrics.Total("switchyard.layer.messages.expired"));
        var expired = Assert.Single(_logs.Entries, e => e.EventName == "MessagesExpired");
        Assert.Contains("2 unread message(s) expired on channel 'unread'", expired.Message, StringComparison.Ordinal);
        Assert.Contains("stays in its groups", expired.Message, StringComparison.Ordinal);
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync("room", Message("x"), TestContext.Current.CancellationToken));
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync("lobby", Message("x"), TestContext.Current.CancellationToken));
        Assert.Equal(2, layer.GetQueuedCount("unread"));
    }

    [Fact]
    public async Task The_sweep_removes_expired_group_memberships_before_any_group_send()
    {
        await using var layer = NewLayer(new ChannelLayerOptions { GroupExpiry = TimeSpan.FromSeconds(100) });
        await layer.GroupAddAsync("room", "old", TestContext.Current.CancellationToken);
        await layer.GroupAddAsync("room", "older", TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(50));
        await layer.GroupAddAsync("room", "young", TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromSeconds(60));

        // No group send happened: only the sweep can have dropped the two old memberships.
        var swept = Assert.Single(_logs.Entries, e => e.EventName == "GroupMembershipsExpired");
        Assert.Equal("2 group membership(s) of group 'room' expired.", swept.Message);
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync("room", Message("x"), TestContext.Current.CancellationToken));
        Assert.Single(_logs.Entries, e => e.EventName == "GroupMembershipsExpired");
    }

    [Fact]
    public async Task An_explicit_sweep_removes_expired_group_memberships()
    {
        await using var layer = NewLayer(new ChannelLayerOptions { GroupExpiry = TimeSpan.FromSeconds(100) });

        // Joined off the sweep timer's 10 s beat, so the membership expires between two timer sweeps.
        _time.Advance(TimeSpan.FromSeconds(5));
        await layer.GroupAddAsync("room", "member", TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.DoesNotContain(_logs.Entries, e => e.EventName == "GroupMembershipsExpired");

        layer.Sweep();

        var swept = Assert.Single(_logs.Entries, e => e.EventName == "GroupMembershipsExpired");
        Assert.Contains("'room'", swept.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_send_between_sweeps_drops_a_members_expired_message_and_still_reaches_the_member()
    {
        await using var layer = NewLayer(new ChannelLayerOptions { Expiry = TimeSpan.FromSeconds(60) });
        await layer.GroupAddAsync("room", "gone", TestContext.Current.CancellationToken);
        await layer.GroupAddAsync("room", "alive", TestContext.Current.CancellationToken);

        // Sent off the sweep timer's 10 s beat: at the group send the message has expired but no sweep saw it.
        _time.Advance(TimeSpan.FromSeconds(5));
        await layer.SendAsync("gone", Message("never read"), TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, layer.GetQueuedCount("gone"));

        var result = await layer.GroupSendAsync("room", Message("after expiry"), TestContext.Current.CancellationToken);

        // The send cleans the expired message first (logged once); the member stays in the group and gets this one.
        Assert.Equal(new GroupSendResult(2, 0), result);
        Assert.Equal(1, layer.GetQueuedCount("gone"));
        Assert.Equal("after expiry", Encoding.UTF8.GetString((await ReceiveAsync(layer, "alive")).Payload.Span));
        Assert.Equal("after expiry", Encoding.UTF8.GetString((await ReceiveAsync(layer, "gone")).Payload.Span));
        Assert.Single(_logs.Entries, e => e.EventName == "MessagesExpired" && e.Message.Contains("'gone'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_member_skipped_by_a_group_send_is_logged_with_the_group_and_the_count()
    {
        await using var layer = NewLayer(new ChannelLayerOptions { FullMemberTimeout = TimeSpan.Zero }.WithCapacity("full.*", 1));
        await layer.GroupAddAsync("room", "full.one", TestContext.Current.CancellationToken);
        await layer.GroupAddAsync("room", "roomy.one", TestContext.Current.CancellationToken);
        await layer.SendAsync("full.one", Message("queued"), TestContext.Current.CancellationToken);

        var result = await layer.GroupSendAsync("room", new ChannelMessage("chat.message", "hi"u8.ToArray()), TestContext.Current.CancellationToken);

        Assert.Equal(new GroupSendResult(1, 1), result);
        var entry = Assert.Single(_logs.Entries, e => e.EventName == "GroupMembersSkippedFull");
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(2, entry.EventId);
        Assert.Contains("'room'", entry.Message, StringComparison.Ordinal);
        Assert.Contains("'chat.message'", entry.Message, StringComparison.Ordinal);
        Assert.Contains("1 delivery(ies) skipped over 1 group send(s)", entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', entry.Message);
    }

    [Fact]
    public async Task Skips_are_logged_once_per_group_and_interval_with_the_counts_not_once_per_send()
    {
        var layer = NewLayer(new ChannelLayerOptions { Capacity = 1, FullMemberTimeout = TimeSpan.Zero });
        for (var i = 0; i < 12; i++)
        {
            await layer.GroupAddAsync("room", $"full.{i:D2}", TestContext.Current.CancellationToken);
            await layer.SendAsync($"full.{i:D2}", Message("queued"), TestContext.Current.CancellationToken);
        }

        for (var send = 0; send < 50; send++)
        {
            Assert.Equal(new GroupSendResult(0, 12), await layer.GroupSendAsync("room", Message("x"), TestContext.Current.CancellationToken));
        }

        // The first send's skips at once; the other 49 sends' summed into one line when the interval ends.
        var first = Assert.Single(_logs.Entries, e => e.EventName == "GroupMembersSkippedFull");
        Assert.Contains("12 delivery(ies) skipped over 1 group send(s)", first.Message, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromSeconds(10));
        var lines = _logs.Entries.Where(e => e.EventName == "GroupMembersSkippedFull").ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Contains($"{49 * 12} delivery(ies) skipped over 49 group send(s)", lines[1].Message, StringComparison.Ordinal);
        await layer.DisposeAsync();
        Assert.Equal(2, _logs.Entries.Count(e => e.EventName == "GroupMembersSkippedFull"));
    }

    [Fact]
    public async Task A_group_send_waits_for_a_full_member_to_have_room_and_delivers_to_it_in_order()
    {
        await using var layer = NewLayer(new ChannelLayerOptions().WithCapacity("slow", 1));
        await layer.GroupAddAsync("room", "slow", TestContext.Current.CancellationToken);
        await layer.GroupAddAsync("room", "fast", TestContext.Current.CancellationToken);
        await layer.SendAsync("slow", Message("first"), TestContext.Current.CancellationToken);

        var send = layer.GroupSendAsync("room", Message("second"), TestContext.Current.CancellationToken).AsTask();

        // The member with room has it already; the send waits for the full one.
        Assert.Equal("second", Text(await layer.ReceiveAsync("fast", TestContext.Current.CancellationToken)));
        Assert.False(send.IsCompleted);
        Assert.Equal("first", Text(await layer.ReceiveAsync("slow", TestContext.Current.CancellationToken)));
        Assert.Equal(new GroupSendResult(2, 0), await send.WaitAsync(WaitTimeout, TestContext.Current.CancellationToken));
        Assert.Equal("second", Text(await layer.ReceiveAsync("slow", TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task A_group_send_gives_up_on_a_member_still_full_after_the_timeout_and_skips_it()
    {
        await using var layer = NewLayer(new ChannelLayerOptions { FullMemberTimeout = TimeSpan.FromSeconds(2) }.WithCapacity("stuck", 1));
        await layer.GroupAddAsync("room", "stuck", TestContext.Current.CancellationToken);
        await layer.GroupAddAsync("room", "fast", TestContext.Current.CancellationToken);
        await layer.SendAsync("stuck", Message("first"), TestContext.Current.CancellationToken);

        var send = layer.GroupSendAsync("room", Message("second"), TestContext.Current.CancellationToken).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(send.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(new GroupSendResult(1, 1), await send.WaitAsync(WaitTimeout, TestContext.Current.CancellationToken));
        Assert.Equal("first", Text(await layer.ReceiveAsync("stuck", TestContext.Current.CancellationToken)));
        Assert.Equal(0, layer.GetQueuedCount("stuck"));
    }

    [Fact]
    public async Task A_direct_send_to_a_full_channel_is_logged()
    {
        await using var layer = NewLayer(new ChannelLayerOptions { Capacity = 1 });
        await layer.SendAsync("narrow", Message("1"), TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync("narrow", Message("2"), TestContext.Current.CancellationToken));

        var entry = Assert.Single(_logs.Entries, e => e.EventName == "ChannelFull");
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("'narrow'", entry.Message, StringComparison.Ordinal);
        Assert.Contains("capacity 1", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_waiting_receive_resumes_asynchronously_not_on_the_sender_stack()
    {
        await using var layer = NewLayer();
        using var gate = new ManualResetEventSlim();

        // The continuation blocks until the sender has returned; run inline, it would block the sender instead.
        var receive = layer.ReceiveAsync("async", TestContext.Current.CancellationToken).AsTask();
        var continued = receive.ContinueWith(_ => gate.Wait(WaitTimeout), TestContext.Current.CancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await layer.SendAsync("async", Message("x"), TestContext.Current.CancellationToken);
        gate.Set();

        Assert.True(await continued.WaitAsync(WaitTimeout, TestContext.Current.CancellationToken), "The receive's continuation ran on the sender's stack.");
    }

    [Fact]
    public async Task The_layer_describes_itself()
    {
        await using var layer = NewLayer();

        Assert.Equal("inmemory", layer.Name);
        Assert.Equal(
            ChannelLayerCapabilities.Groups | ChannelLayerCapabilities.Flush | ChannelLayerCapabilities.Capacity | ChannelLayerCapabilities.Expiry
            | ChannelLayerCapabilities.Queued | ChannelLayerCapabilities.GroupMemberCounts
            | ChannelLayerCapabilities.GroupMembers | ChannelLayerCapabilities.GroupHistory | ChannelLayerCapabilities.Presence,
            layer.Capabilities);
        Assert.StartsWith("specific.inmemory!", await layer.NewChannelAsync(cancellationToken: TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(0, layer.GetQueuedCount("never.used"));
    }

    [Fact]
    public void Invalid_options_are_rejected_by_the_constructor()
    {
        var error = Assert.Throws<ArgumentException>(() => new InMemoryChannelLayer(new ChannelLayerOptions { Capacity = 0 }, _time));

        Assert.Contains("Capacity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_drops_queued_messages_without_counting_them_as_expired_and_a_later_sweep_does_nothing()
    {
        using var metrics = new MetricCollector(_meters);
        var layer = NewLayer(new ChannelLayerOptions { Expiry = TimeSpan.FromSeconds(1) });
        await layer.SendAsync("chan", Message("x"), TestContext.Current.CancellationToken);

        await layer.CloseAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        layer.Sweep();

        Assert.Equal(0, metrics.Total("switchyard.layer.messages.expired"));
        Assert.Equal(0, layer.GetQueuedCount("chan"));
    }

    private static ChannelMessage Message(string text) => new("test.message", Encoding.UTF8.GetBytes(text));

    private static string Text(ChannelMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    private static async Task<ChannelMessage> ReceiveAsync(ChannelLayer layer, string channel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(WaitTimeout);
        return await layer.ReceiveAsync(channel, timeout.Token);
    }

    private InMemoryChannelLayer NewLayer(ChannelLayerOptions? options = null) =>
        new(options, _time, _loggerFactory, _meters);

    private sealed record LogEntry(string Category, LogLevel Level, int EventId, string? EventName, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<LogEntry> _entries = new();

        public IReadOnlyCollection<LogEntry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner._entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, eventId.Name, formatter(state, exception)));
        }
    }
}
