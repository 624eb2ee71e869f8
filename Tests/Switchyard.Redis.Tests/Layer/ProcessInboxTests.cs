using Switchyard.Redis.Connections;
using System.Text;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>
/// Process-local channels on the Redis layer: one inbox per process, one entry per group send for all the members that
/// live in that process, fanned out there; capacity, expiry and cancellation as the conformance kit states them for
/// plain channels.
/// </summary>
public abstract class ProcessInboxTests(RedisServers redis) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _prefix = $"pi{Guid.NewGuid():N}";
    private readonly List<ChannelLayer> _layers = [];
    private readonly ManualTimeProvider _time = new();
    private readonly TestMeterFactory _meters = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var layer in _layers)
        {
            await layer.DisposeAsync();
        }

        _meters.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task New_channels_of_two_processes_have_different_inboxes()
    {
        var first = await NewLayerAsync();
        var second = await NewLayerAsync();

        var a = ChannelNames.NonLocalPart(await first.NewChannelAsync(cancellationToken: Ct));
        var b = ChannelNames.NonLocalPart(await second.NewChannelAsync(cancellationToken: Ct));

        Assert.NotEqual(a, b);
        Assert.Equal(a, ChannelNames.NonLocalPart(await first.NewChannelAsync(cancellationToken: Ct)));
    }

    [Fact]
    public async Task A_group_send_to_a_hundred_members_of_one_process_is_one_inbox_entry_and_reaches_each()
    {
        var receiver = await NewLayerAsync();
        var sender = await NewLayerAsync();
        var channels = new string[100];
        for (var i = 0; i < channels.Length; i++)
        {
            channels[i] = await receiver.NewChannelAsync(cancellationToken: Ct);
            await receiver.GroupAddAsync("room", channels[i], Ct);
        }

        var result = await sender.GroupSendAsync("room", Text("hello"), Ct);

        Assert.Equal(new GroupSendResult(100, 0), result);
        await using (var probe = await ProbeAsync(channels[0]))
        {
            Assert.Equal(1, (await probe.ExecuteAsync(["LLEN", $"{_prefix}:in:{{{ChannelNames.NonLocalPart(channels[0])}}}"], Ct)).AsInteger());
        }

        foreach (var channel in channels)
        {
            Assert.Equal("hello", await ReceiveTextAsync(receiver, channel));
        }
    }

    [Fact]
    public async Task A_group_send_across_processes_on_three_shards_reaches_every_member_once()
    {
        var processes = new[] { await NewLayerAsync(), await NewLayerAsync(), await NewLayerAsync(), await NewLayerAsync() };
        var members = new List<(ChannelLayer Layer, string Channel)>();
        foreach (var process in processes)
        {
            for (var i = 0; i < 5; i++)
            {
                var channel = await process.NewChannelAsync(cancellationToken: Ct);
                await process.GroupAddAsync("spread", channel, Ct);
                members.Add((process, channel));
            }
        }

        await processes[0].GroupAddAsync("spread", "plain.member", Ct);

        Assert.Equal(new GroupSendResult(21, 0), await processes[0].GroupSendAsync("spread", Text("one"), Ct));
        Assert.Equal(new GroupSendResult(21, 0), await processes[1].GroupSendAsync("spread", Text("two"), Ct));

        foreach (var (layer, channel) in members)
        {
            Assert.Equal("one", await ReceiveTextAsync(layer, channel));
            Assert.Equal("two", await ReceiveTextAsync(layer, channel));
        }

        Assert.Equal("one", await ReceiveTextAsync(processes[2], "plain.member"));
        Assert.Equal("two", await ReceiveTextAsync(processes[2], "plain.member"));
    }

    [Fact]
    public async Task A_local_channel_is_full_at_its_capacity_and_a_receive_in_its_process_makes_room_at_once()
    {
        var layer = await NewLayerAsync(capacity: 2);
        var channel = await layer.NewChannelAsync(cancellationToken: Ct);
        var sibling = await layer.NewChannelAsync(cancellationToken: Ct);

        await layer.SendAsync(channel, Text("1"), Ct);
        await layer.SendAsync(channel, Text("2"), Ct);
        var full = await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync(channel, Text("3"), Ct).AsTask());
        Assert.Equal(channel, full.Channel);

        // Capacity is per channel, not per inbox.
        await layer.SendAsync(sibling, Text("s"), Ct);

        Assert.Equal("1", await ReceiveTextAsync(layer, channel));
        await layer.SendAsync(channel, Text("3"), Ct);
        Assert.Equal("2", await ReceiveTextAsync(layer, channel));
        Assert.Equal("3", await ReceiveTextAsync(layer, channel));
        Assert.Equal("s", await ReceiveTextAsync(layer, sibling));
    }

    [Fact]
    public async Task With_a_zero_full_member_timeout_a_local_member_that_is_full_is_skipped_in_its_process_and_the_others_still_get_the_message()
    {
        var receiver = await NewLayerAsync(capacity: 1, fullMemberTimeout: TimeSpan.Zero);
        var sender = await NewLayerAsync(capacity: 1);
        var slow = await receiver.NewChannelAsync(cancellationToken: Ct);
        var fast = await receiver.NewChannelAsync(cancellationToken: Ct);
        await receiver.GroupAddAsync("g", slow, Ct);
        await receiver.GroupAddAsync("g", fast, Ct);

        Assert.Equal(new GroupSendResult(2, 0), await sender.GroupSendAsync("g", Text("a"), Ct));
        Assert.Equal("a", await ReceiveTextAsync(receiver, fast));
        Assert.Equal(new GroupSendResult(2, 0), await sender.GroupSendAsync("g", Text("b"), Ct));
        Assert.Equal("b", await ReceiveTextAsync(receiver, fast));

        // "b" met a full buffer in the slow channel's process and was skipped there: after "a" comes the next send.
        Assert.Equal("a", await ReceiveTextAsync(receiver, slow));
        await receiver.SendAsync(slow, Text("c"), Ct);
        Assert.Equal("c", await ReceiveTextAsync(receiver, slow));
    }

    [Fact]
    public async Task A_local_member_that_is_full_waits_for_room_in_its_process_without_holding_up_the_others()
    {
        using var metrics = new MetricCollector(_meters);
        var receiver = await NewLayerAsync(capacity: 1, fullMemberTimeout: TimeSpan.FromSeconds(30));
        var sender = await NewLayerAsync(capacity: 1);
        var slow = await receiver.NewChannelAsync(cancellationToken: Ct);
        var fast = await receiver.NewChannelAsync(cancellationToken: Ct);
        await receiver.GroupAddAsync("g", slow, Ct);
        await receiver.GroupAddAsync("g", fast, Ct);

        await sender.GroupSendAsync("g", Text("a"), Ct);
        await sender.GroupSendAsync("g", Text("b"), Ct);
        await sender.GroupSendAsync("g", Text("c"), Ct);

        // The fast member gets all three while the slow one still holds "a" and the others wait for its room.
        Assert.Equal("a", await ReceiveTextAsync(receiver, fast));
        Assert.Equal("b", await ReceiveTextAsync(receiver, fast));
        Assert.Equal("c", await ReceiveTextAsync(receiver, fast));
        Assert.Equal("a", await ReceiveTextAsync(receiver, slow));
        Assert.Equal("b", await ReceiveTextAsync(receiver, slow));
        Assert.Equal("c", await ReceiveTextAsync(receiver, slow));
        Assert.Equal(0, metrics.Total("switchyard.layer.messages.dropped"));
    }

    [Fact]
    public async Task A_member_whose_consumer_has_gone_stays_in_its_groups_when_its_messages_expire_and_gets_the_next_one()
    {
        var receiver = await NewLayerAsync(capacity: 1, fullMemberTimeout: TimeSpan.FromSeconds(50));
        var sender = await NewLayerAsync();
        var slow = await receiver.NewChannelAsync(cancellationToken: Ct);
        var alive = await receiver.NewChannelAsync(cancellationToken: Ct);
        await receiver.GroupAddAsync("g", slow, Ct);
        await receiver.GroupAddAsync("g", alive, Ct);

        // "1" fills the slow member's buffer, "2" waits for its room; the live member gets both.
        await sender.GroupSendAsync("g", Text("1"), Ct);
        await sender.GroupSendAsync("g", Text("2"), Ct);
        Assert.Equal("1", await ReceiveTextAsync(receiver, alive));
        Assert.Equal("2", await ReceiveTextAsync(receiver, alive));

        // Nobody took "1" or "2" in time: they expire, and the member is still in the group (until group expiry or discard).
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(new GroupSendResult(2, 0), await sender.GroupSendAsync("g", Text("3"), Ct));
        Assert.Equal("3", await ReceiveTextAsync(receiver, alive));
        Assert.Equal("3", await ReceiveTextAsync(receiver, slow));
    }

    [Fact]
    public async Task A_burst_of_group_sends_to_a_receiving_member_loses_nothing_with_the_default_options()
    {
        using var metrics = new MetricCollector(_meters);
        var receiver = await NewLayerAsync();
        var sender = await NewLayerAsync();
        var member = await receiver.NewChannelAsync(cancellationToken: Ct);
        await receiver.GroupAddAsync("burst", member, Ct);
        const int Count = 2_000;

        // A first receive starts the process's receive loop, which then moves the burst into the member's buffer.
        await sender.SendAsync(member, Text("warm"), Ct);
        Assert.Equal("warm", await ReceiveTextAsync(receiver, member));

        // The consumer starts late, when 300 messages are on their way: past its capacity (100) the messages wait in its
        // process for room instead of being skipped, and it gets every one once it catches up.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiving = Task.Run(async () =>
        {
            await start.Task;
            var got = new List<string>(Count);
            for (var i = 0; i < Count; i++)
            {
                got.Add(await ReceiveTextAsync(receiver, member));
            }

            return got;
        });
        for (var i = 0; i < Count; i++)
        {
            await sender.GroupSendAsync("burst", Text(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Ct);
            if (i == 300)
            {
                start.SetResult();
            }
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), await receiving.WaitAsync(Timeout * 6, Ct));
        Assert.Equal(0, metrics.Total("switchyard.layer.messages.dropped"));
    }

    [Fact]
    public async Task A_forwarded_send_leaves_the_pending_count_so_a_forwarding_channel_never_fills()
    {
        var layer = await NewLayerAsync(capacity: 2);
        var channel = await layer.NewChannelAsync(cancellationToken: Ct);
        var forwarder = new RecordingForwarder();
        using var attachment = layer.AttachForwarder(channel, forwarder);

        // Ten sends through a channel of capacity 2: each is forwarded before the next, which carries the count's change.
        for (var i = 0; i < 10; i++)
        {
            await layer.SendAsync(channel, Text($"d{i}"), Ct);
            await forwarder.WaitForwardedAsync(i + 1, Timeout);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"d{i}"), forwarder.Forwarded);

        // A message the forwarder does not take is pending until received, as before.
        forwarder.Takes = static _ => false;
        await layer.SendAsync(channel, Text("kept 1"), Ct);
        await layer.SendAsync(channel, Text("kept 2"), Ct);
        await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync(channel, Text("refused"), Ct).AsTask());
        Assert.Equal("kept 1", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task A_forwarder_gets_its_channels_messages_even_when_nobody_receives_in_its_process()
    {
        var receiver = await NewLayerAsync();
        var sender = await NewLayerAsync();
        var channel = await receiver.NewChannelAsync(cancellationToken: Ct);
        await receiver.GroupAddAsync("quiet", channel, Ct);
        var forwarder = new RecordingForwarder();

        // Attaching starts the inbox's receive loop; no receive ever runs on this inbox.
        using var attachment = receiver.AttachForwarder(channel, forwarder);
        await sender.GroupSendAsync("quiet", Text("g"), Ct);
        await sender.SendAsync(channel, Text("d"), Ct);

        await forwarder.WaitForwardedAsync(2, Timeout);
        Assert.Equal(["g", "d"], forwarder.Forwarded);
    }

    [Fact]
    public async Task A_forwarder_on_a_plain_channel_is_never_offered_anything()
    {
        var layer = await NewLayerAsync();
        var forwarder = new RecordingForwarder();
        using var attachment = layer.AttachForwarder("plain.channel", forwarder);

        await layer.SendAsync("plain.channel", Text("normal path"), Ct);

        Assert.Equal("normal path", await ReceiveTextAsync(layer, "plain.channel"));
        Assert.Empty(forwarder.Forwarded);
    }

    [Fact]
    public async Task Membership_changes_made_by_any_process_reach_the_process_that_fans_out()
    {
        var receiver = await NewLayerAsync();
        var other = await NewLayerAsync();
        var first = await receiver.NewChannelAsync(cancellationToken: Ct);
        var second = await receiver.NewChannelAsync(cancellationToken: Ct);
        await receiver.GroupAddAsync("room", first, Ct);

        Assert.Equal(new GroupSendResult(1, 0), await other.GroupSendAsync("room", Text("1"), Ct));
        Assert.Equal("1", await ReceiveTextAsync(receiver, first));

        await other.GroupAddAsync("room", second, Ct);
        Assert.Equal(new GroupSendResult(2, 0), await other.GroupSendAsync("room", Text("2"), Ct));
        Assert.Equal("2", await ReceiveTextAsync(receiver, first));
        Assert.Equal("2", await ReceiveTextAsync(receiver, second));

        await other.GroupDiscardAsync("room", first, Ct);
        Assert.Equal(new GroupSendResult(1, 0), await other.GroupSendAsync("room", Text("3"), Ct));
        Assert.Equal("3", await ReceiveTextAsync(receiver, second));
        await receiver.SendAsync(first, Text("direct"), Ct);
        Assert.Equal("direct", await ReceiveTextAsync(receiver, first));
    }

    [Fact]
    public async Task A_local_membership_expires_after_the_group_expiry()
    {
        var layer = await NewLayerAsync();
        var channel = await layer.NewChannelAsync(cancellationToken: Ct);
        await layer.GroupAddAsync("brief", channel, Ct);

        _time.Advance(TimeSpan.FromSeconds(86_401));

        Assert.Equal(new GroupSendResult(0, 0), await layer.GroupSendAsync("brief", Text("late"), Ct));
    }

    [Fact]
    public async Task A_buffered_message_that_expired_is_not_received_and_its_channel_stays_in_its_groups()
    {
        var layer = await NewLayerAsync();
        var channel = await layer.NewChannelAsync(cancellationToken: Ct);
        var other = await layer.NewChannelAsync(cancellationToken: Ct);
        await layer.GroupAddAsync("watchers", channel, Ct);

        // The receive loop is running (a receive on a sibling), so the message is moved into this process's buffer.
        await layer.SendAsync(channel, Text("stale"), Ct);
        await layer.SendAsync(other, Text("go"), Ct);
        Assert.Equal("go", await ReceiveTextAsync(layer, other));

        _time.Advance(TimeSpan.FromSeconds(61));
        var waiting = layer.ReceiveAsync(channel, Ct).AsTask();
        await layer.SendAsync(channel, Text("fresh"), Ct);

        Assert.Equal("fresh", Encoding.UTF8.GetString((await waiting.WaitAsync(Timeout, Ct)).Payload.Span));
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync("watchers", Text("x"), Ct));
        Assert.Equal("x", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task Messages_left_in_the_inbox_of_a_process_that_is_gone_expire_there_and_its_members_stay_until_group_expiry()
    {
        var gone = await NewLayerAsync();
        var sender = await NewLayerAsync();
        var member = await gone.NewChannelAsync(cancellationToken: Ct);
        await gone.GroupAddAsync("g", member, Ct);
        await gone.DisposeAsync();

        Assert.Equal(new GroupSendResult(1, 0), await sender.GroupSendAsync("g", Text("unread"), Ct));
        _time.Advance(TimeSpan.FromSeconds(61));

        // The sends drop the expired entry at the head of the inbox, so the inbox holds only what has not expired.
        Assert.Equal(new GroupSendResult(1, 0), await sender.GroupSendAsync("g", Text("again"), Ct));
        Assert.Equal(new GroupSendResult(1, 0), await sender.GroupSendAsync("g", Text("and again"), Ct));
        await using (var probe = await ProbeAsync(member))
        {
            Assert.Equal(2, (await probe.ExecuteAsync(["LLEN", $"{_prefix}:in:{{{ChannelNames.NonLocalPart(member)}}}"], Ct)).AsInteger());
        }

        // The membership ends with the group expiry.
        _time.Advance(TimeSpan.FromSeconds(86_401));
        Assert.Equal(new GroupSendResult(0, 0), await sender.GroupSendAsync("g", Text("late"), Ct));
    }

    [Fact]
    public async Task A_receive_on_a_local_channel_of_another_process_fails_at_once_and_the_owner_gets_every_message()
    {
        var owner = await NewLayerAsync();
        var other = await NewLayerAsync();
        var channel = await owner.NewChannelAsync(cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => other.ReceiveAsync(channel, Ct).AsTask().WaitAsync(Timeout, Ct));
        Assert.Contains($"'{channel}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("another process", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => other.AttachForwarder(channel, new RecordingForwarder()));

        // A made-up name is nobody's: refused too. Sending to another process's channel is what channels are for.
        await Assert.ThrowsAsync<ArgumentException>(() => other.ReceiveAsync("specific.redis.nobody!x", Ct).AsTask().WaitAsync(Timeout, Ct));
        for (var i = 0; i < 5; i++)
        {
            await other.SendAsync(channel, Text($"m{i}"), Ct);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal($"m{i}", await ReceiveTextAsync(owner, channel));
        }
    }

    [Fact]
    public async Task Group_entries_that_waited_for_the_first_receive_longer_than_the_full_member_timeout_respect_the_capacity()
    {
        using var metrics = new MetricCollector(_meters);
        var receiver = await NewLayerAsync(capacity: 1, fullMemberTimeout: TimeSpan.FromSeconds(5));
        var sender = await NewLayerAsync(capacity: 1);
        var member = await receiver.NewChannelAsync(cancellationToken: Ct);
        await receiver.GroupAddAsync("g", member, Ct);

        // Nobody in the receiver's process has received yet: the entries wait in its inbox, past FullMemberTimeout.
        for (var i = 1; i <= 3; i++)
        {
            await sender.GroupSendAsync("g", Text($"{i}"), Ct);
        }

        _time.Advance(TimeSpan.FromSeconds(6));

        // The member holds its capacity (1): "2" and "3" are skipped in its process, counted as full.
        Assert.Equal("1", await ReceiveTextAsync(receiver, member));
        using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            quiet.CancelAfter(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiver.ReceiveAsync(member, quiet.Token).AsTask());
        }

        Assert.Equal(2, metrics.Total("switchyard.layer.messages.dropped", "reason", "channel_full"));

        // It stays a member and gets the next message.
        await sender.GroupSendAsync("g", Text("4"), Ct);
        Assert.Equal("4", await ReceiveTextAsync(receiver, member));
    }

    [Fact]
    public async Task A_cancelled_receive_on_a_local_channel_takes_nothing()
    {
        var layer = await NewLayerAsync();
        var channel = await layer.NewChannelAsync(cancellationToken: Ct);
        using var cancel = new CancellationTokenSource();

        var cancelled = layer.ReceiveAsync(channel, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await layer.SendAsync(channel, Text("kept"), Ct);

        Assert.Equal("kept", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task Flush_drops_messages_already_buffered_in_the_process()
    {
        var layer = await NewLayerAsync();
        var channel = await layer.NewChannelAsync(cancellationToken: Ct);
        var other = await layer.NewChannelAsync(cancellationToken: Ct);
        await layer.SendAsync(channel, Text("buffered"), Ct);
        await layer.SendAsync(other, Text("go"), Ct);
        Assert.Equal("go", await ReceiveTextAsync(layer, other));

        await layer.FlushAsync(Ct);
        await layer.SendAsync(channel, Text("after"), Ct);

        Assert.Equal("after", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task Closing_the_layer_ends_a_waiting_local_receive_with_the_closed_error()
    {
        var layer = await NewLayerAsync();
        var waiting = layer.ReceiveAsync(await layer.NewChannelAsync(cancellationToken: Ct), Ct).AsTask();

        await layer.CloseAsync();

        await Assert.ThrowsAsync<ChannelLayerClosedException>(() => waiting.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task A_group_with_members_in_three_processes_and_plain_members_is_counted_and_listed_in_pages_once_each()
    {
        var layers = new[] { await NewLayerAsync(), await NewLayerAsync(), await NewLayerAsync() };
        var members = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            members.Add($"plain.m{i}");
            foreach (var layer in layers)
            {
                members.Add(await layer.NewChannelAsync(cancellationToken: Ct));
            }
        }

        foreach (var member in members)
        {
            await layers[0].GroupAddAsync("room", member, Ct);
        }

        // Pages of 4 cross from the plain members to each process's members and from one process to the next.
        var listed = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await layers[1].GroupMembersAsync("room", cursor, pageSize: 4, Ct);
            Assert.InRange(page.Channels.Count, 1, 4);
            listed.AddRange(page.Channels);
            cursor = page.NextCursor;
            Assert.True(++pages <= 28, "The listing does not end.");
        }
        while (cursor is not null);

        Assert.Equal(members.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(7, pages);
        Assert.Equal(28, await layers[2].GroupMemberCountAsync("room", Ct));
        await layers[2].GroupDiscardAsync("room", members[3], Ct);
        Assert.Equal(27, await layers[0].GroupMemberCountAsync("room", Ct));
    }

    [Fact]
    public async Task A_cursor_the_listing_did_not_give_is_refused_with_a_clear_error()
    {
        var layer = await NewLayerAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await layer.GroupMembersAsync("room", "not a cursor", cancellationToken: Ct));

        Assert.Equal("cursor", error.ParamName);
        Assert.Contains("NextCursor", error.Message, StringComparison.Ordinal);
    }

    private async Task<ChannelLayer> NewLayerAsync(int capacity = 100, TimeSpan? fullMemberTimeout = null, TimeSpan? idleSweep = null)
    {
        var options = new RedisChannelLayerOptions { Prefix = _prefix };
        options.IdleSubscription = idleSweep ?? options.IdleSubscription;
        foreach (var server in redis.Servers)
        {
            options.Servers.Add(server.ConnectionString);
        }

        options.Layer.Capacity = capacity;
        options.Layer.FullMemberTimeout = fullMemberTimeout ?? options.Layer.FullMemberTimeout;
        var layer = await RedisChannelLayer.ConnectAsync(options, _time, meterFactory: _meters, cancellationToken: Ct);
        _layers.Add(layer);
        return layer;
    }

    // The inbox lives on the shard its non-local part hashes to.
    private Task<RedisProbe> ProbeAsync(string channel) => ProbeKeyAsync($"{_prefix}:in:{{{ChannelNames.NonLocalPart(channel)}}}");

    // Asks each server until one has the key.
    private async Task<RedisProbe> ProbeKeyAsync(string key)
    {
        foreach (var server in redis.Servers)
        {
            var probe = await RedisProbe.ConnectAsync(server.ConnectionString);
            if ((await probe.ExecuteAsync(["EXISTS", key], Ct)).AsInteger() == 1)
            {
                return probe;
            }

            await probe.DisposeAsync();
        }

        throw new InvalidOperationException($"No server holds '{key}'.");
    }

    private static ChannelMessage Text(string text) => new("test.text", Encoding.UTF8.GetBytes(text));

    private static async Task<string> ReceiveTextAsync(ChannelLayer layer, string channel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Timeout);
        return Encoding.UTF8.GetString((await layer.ReceiveAsync(channel, timeout.Token)).Payload.Span);
    }
}

/// <summary>Process inboxes on one server, where a group send is one script.</summary>
public sealed class OneShardProcessInboxTests(OneRedisServer redis) : ProcessInboxTests(redis), IClassFixture<OneRedisServer>;

/// <summary>Process inboxes sharded over three servers.</summary>
public sealed class ThreeShardProcessInboxTests(ThreeRedisServers redis) : ProcessInboxTests(redis), IClassFixture<ThreeRedisServers>;
