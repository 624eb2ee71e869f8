using System.Text;
using Switchyard.Redis.Tests.Support;
using ConnectionMultiplexer = StackExchange.Redis.ConnectionMultiplexer;
using RedisChannel = StackExchange.Redis.RedisChannel;
using RedisChannelMessageQueue = StackExchange.Redis.ChannelMessageQueue;
using Xunit;

namespace Switchyard.Redis.Tests.PubSub;

/// <summary>What is specific to the pub/sub layer: delivery to listeners only, one copy per process, fan-out in process.</summary>
public sealed class RedisPubSubChannelLayerTests(OneRedisServer redis) : IClassFixture<OneRedisServer>, IAsyncDisposable
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(200);

    private readonly string _prefix = $"ps{Guid.NewGuid():N}";
    private readonly List<IAsyncDisposable> _owned = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_receive_started_before_a_send_gets_the_message()
    {
        var layer = await NewLayerAsync();

        var receive = layer.ReceiveAsync("chat.lobby", Ct).AsTask();
        Assert.False(receive.IsCompleted);
        await layer.SendAsync("chat.lobby", Message("hello"), Ct);

        var received = await receive.WaitAsync(WaitTimeout, Ct);
        Assert.Equal("chat.message", received.Type);
        Assert.Equal("hello", Text(received));
    }

    [Fact]
    public async Task A_send_right_after_a_receive_started_waits_for_that_subscription_even_behind_many_others()
    {
        var layer = await NewLayerAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // Hundreds of subscriptions queue up on the server's subscriber connection, one after another; the receive on
        // "target" is the last of them. The send must not overtake its subscription.
        var others = Enumerable.Range(0, 300).Select(i => layer.ReceiveAsync($"busy.c{i}", cancel.Token).AsTask()).ToArray();
        var receive = layer.ReceiveAsync("target", Ct).AsTask();
        await layer.SendAsync("target", Message("not overtaken"), Ct);

        Assert.Equal("not overtaken", Text(await receive.WaitAsync(WaitTimeout, Ct)));
        await cancel.CancelAsync();
        await Task.WhenAll(others.Select(o => Assert.ThrowsAnyAsync<OperationCanceledException>(() => o)));
    }

    [Fact]
    public async Task Messages_of_one_channel_arrive_in_send_order_and_are_buffered_between_receives()
    {
        var layer = await NewLayerAsync();
        var first = layer.ReceiveAsync("fifo", Ct).AsTask();

        for (var i = 0; i < 100; i++)
        {
            await layer.SendAsync("fifo", Message($"m{i}"), Ct);
        }

        Assert.Equal("m0", Text(await first.WaitAsync(WaitTimeout, Ct)));
        for (var i = 1; i < 100; i++)
        {
            Assert.Equal($"m{i}", Text(await ReceiveWithinAsync(layer, "fifo")));
        }
    }

    [Fact]
    public async Task A_message_sent_while_nobody_is_subscribed_is_gone_at_most_once()
    {
        var sender = await NewLayerAsync();
        var receiver = await NewLayerAsync();

        await sender.SendAsync("nobody.listens", Message("lost"), Ct);

        // The receiver subscribes only now: the first thing it gets is its own ready message, not what was published
        // before; what comes after is delivered.
        await ListenAsync(receiver, "nobody.listens");
        await sender.SendAsync("nobody.listens", Message("heard"), Ct);
        Assert.Equal("heard", Text(await ReceiveWithinAsync(receiver, "nobody.listens")));
        await AssertQuietAsync(receiver.ReceiveAsync("nobody.listens", Ct).AsTask());
    }

    [Fact]
    public async Task Every_process_subscribed_to_a_channel_gets_every_message()
    {
        var first = await NewLayerAsync();
        var second = await NewLayerAsync();
        var third = await NewLayerAsync();
        await ListenAsync(first, "broadcast");
        await ListenAsync(second, "broadcast");

        // The second process's ready message reached the first as well: it was already subscribed.
        Assert.Equal("ready", Text(await ReceiveWithinAsync(first, "broadcast")));
        await third.SendAsync("broadcast", Message("to both"), Ct);

        Assert.Equal("to both", Text(await ReceiveWithinAsync(first, "broadcast")));
        Assert.Equal("to both", Text(await ReceiveWithinAsync(second, "broadcast")));
        Assert.Equal(2, await NumSubAsync(ChannelKey("broadcast")));
    }

    [Fact]
    public async Task Within_one_process_each_message_goes_to_one_receive()
    {
        var layer = await NewLayerAsync();
        var receives = Enumerable.Range(0, 5).Select(_ => layer.ReceiveAsync("shared", Ct).AsTask()).ToArray();

        for (var i = 0; i < 5; i++)
        {
            await layer.SendAsync("shared", Message($"m{i}"), Ct);
        }

        var texts = (await Task.WhenAll(receives).WaitAsync(WaitTimeout, Ct)).Select(Text).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"m{i}"), texts);
    }

    [Fact]
    public async Task A_group_send_is_one_publish_fanned_out_to_every_local_member()
    {
        var layer = await NewLayerAsync();
        string[] members = ["member.a", "member.b", "member.c!local"];
        foreach (var member in members)
        {
            await layer.GroupAddAsync("room", member, Ct);
        }

        // The process listens to the group once, whatever its number of members.
        Assert.Equal(1, await NumSubAsync(GroupKey("room")));
        await using var probe = await SubscribeProbeAsync(GroupKey("room"));

        var result = await layer.GroupSendAsync("room", Message("hi all"), Ct);
        var sentinel = await layer.GroupSendAsync("room", Message("sentinel"), Ct);

        // PUBLISH counts the listening processes: this layer and the probe, not the three members.
        Assert.Equal(new GroupSendResult(2, 0), result);
        Assert.Equal(new GroupSendResult(2, 0), sentinel);
        foreach (var member in members)
        {
            Assert.Equal("hi all", Text(await ReceiveWithinAsync(layer, member)));
            Assert.Equal("sentinel", Text(await ReceiveWithinAsync(layer, member)));
        }

        // The probe saw the group's Redis channel carry exactly two messages: one per group send.
        Assert.Equal(2, await probe.CountAsync(2));
    }

    [Fact]
    public async Task A_group_send_reaches_members_in_every_listening_process()
    {
        var first = await NewLayerAsync();
        var second = await NewLayerAsync();
        var outsider = await NewLayerAsync();
        await first.GroupAddAsync("room", "first.member", Ct);
        await second.GroupAddAsync("room", "second.member", Ct);
        await second.GroupAddAsync("room", "second.other", Ct);

        var result = await outsider.GroupSendAsync("room", Message("everyone"), Ct);

        Assert.Equal(new GroupSendResult(2, 0), result);
        Assert.Equal("everyone", Text(await ReceiveWithinAsync(first, "first.member")));
        Assert.Equal("everyone", Text(await ReceiveWithinAsync(second, "second.member")));
        Assert.Equal("everyone", Text(await ReceiveWithinAsync(second, "second.other")));
        Assert.Equal(new GroupSendResult(0, 0), await outsider.GroupSendAsync("nobody.listens", Message("void"), Ct));
    }

    [Fact]
    public async Task A_discarded_member_gets_no_more_group_messages_and_the_last_discard_ends_the_subscription()
    {
        var layer = await NewLayerAsync();
        var sender = await NewLayerAsync();
        await layer.GroupAddAsync("room", "stays", Ct);
        await layer.GroupAddAsync("room", "leaves", Ct);

        await layer.GroupDiscardAsync("room", "leaves", Ct);
        Assert.Equal(new GroupSendResult(1, 0), await sender.GroupSendAsync("room", Message("after discard"), Ct));
        Assert.Equal("after discard", Text(await ReceiveWithinAsync(layer, "stays")));
        await AssertQuietAsync(layer.ReceiveAsync("leaves", Ct).AsTask());

        await layer.GroupDiscardAsync("room", "stays", Ct);
        Assert.Equal(0, await NumSubAsync(GroupKey("room")));
        Assert.Equal(new GroupSendResult(0, 0), await sender.GroupSendAsync("room", Message("nobody"), Ct));
        await AssertQuietAsync(layer.ReceiveAsync("stays", Ct).AsTask());
    }

    [Fact]
    public async Task A_cancelled_receive_never_loses_a_message()
    {
        var layer = await NewLayerAsync();

        for (var i = 0; i < 200; i++)
        {
            using var cancel = new CancellationTokenSource();
            var receive = layer.ReceiveAsync("race", cancel.Token).AsTask();
            var send = Task.Run(async () => await layer.SendAsync("race", Message($"m{i}"), Ct), Ct);
            var cancelling = Task.Run(cancel.Cancel, Ct);
            await Task.WhenAll(send, cancelling).WaitAsync(WaitTimeout, Ct);

            ChannelMessage received;
            try
            {
                received = await receive.WaitAsync(WaitTimeout, Ct);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // The cancelled receive did not take it: the message is in the buffer for the next receive.
                received = await ReceiveWithinAsync(layer, "race");
            }

            Assert.Equal($"m{i}", Text(received));
        }

        await AssertQuietAsync(layer.ReceiveAsync("race", Ct).AsTask());
    }

    [Fact]
    public async Task Closing_fails_waiting_receives_with_ChannelLayerClosedException()
    {
        var layer = await NewLayerAsync();
        var waiting = layer.ReceiveAsync("waiting", Ct).AsTask();
        var name = await layer.NewChannelAsync(cancellationToken: Ct);
        var onNew = layer.ReceiveAsync(name, Ct).AsTask();

        await layer.CloseAsync().AsTask().WaitAsync(WaitTimeout, Ct);

        var error = await Assert.ThrowsAsync<ChannelLayerClosedException>(() => waiting.WaitAsync(WaitTimeout, Ct));
        Assert.Contains("receive", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ChannelLayerClosedException>(() => onNew.WaitAsync(WaitTimeout, Ct));
        await Assert.ThrowsAsync<ChannelLayerClosedException>(async () => await layer.SendAsync("waiting", Message("x"), Ct));
    }

    [Fact]
    public async Task Sends_are_never_refused_for_capacity_and_nothing_expires()
    {
        var time = new Switchyard.ChannelLayers.Specification.ManualTimeProvider();
        var layer = await NewLayerAsync(new ChannelLayerOptions { Capacity = 1, Expiry = TimeSpan.FromSeconds(1) }, time);
        var receive = layer.ReceiveAsync("unbounded", Ct).AsTask();

        for (var i = 0; i < 10; i++)
        {
            await layer.SendAsync("unbounded", Message($"m{i}"), Ct);
        }

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("m0", Text(await receive.WaitAsync(WaitTimeout, Ct)));
        for (var i = 1; i < 10; i++)
        {
            Assert.Equal($"m{i}", Text(await ReceiveWithinAsync(layer, "unbounded")));
        }
    }

    [Fact]
    public async Task A_new_channel_is_subscribed_before_its_name_is_returned()
    {
        var layer = await NewLayerAsync();
        var sender = await NewLayerAsync();

        var name = await layer.NewChannelAsync("reply", Ct);
        await sender.SendAsync(name, Message("early"), Ct);

        Assert.Equal("early", Text(await ReceiveWithinAsync(layer, name)));
    }

    [Fact]
    public async Task Payloads_are_sealed_on_the_wire_and_a_message_sealed_with_an_unknown_key_is_dropped_with_a_log()
    {
        var logs = new SignalingLoggerFactory();
        var ours = await NewLayerAsync(loggerFactory: logs, configure: o => o.EncryptionKeys.Add("our key"));
        var sender = await NewLayerAsync(configure: o => o.EncryptionKeys.Add("our key"));
        var stranger = await NewLayerAsync(configure: o => o.EncryptionKeys.Add("another key"));
        await ListenAsync(ours, "secret.box");
        var receive = ours.ReceiveAsync("secret.box", Ct).AsTask();
        await using var probe = await SubscribeProbeAsync(ChannelKey("secret.box"));
        var unreadable = logs.WaitForAsync("RedisPubSubUnreadableMessage");

        await stranger.SendAsync("secret.box", Message("theirs"), Ct);
        await unreadable.WaitAsync(WaitTimeout, Ct);
        await sender.SendAsync("secret.box", Message("ours, in clear nowhere"), Ct);

        Assert.Equal("ours, in clear nowhere", Text(await receive.WaitAsync(WaitTimeout, Ct)));
        Assert.Equal(2, await probe.CountAsync(2));
        Assert.All(probe.Payloads, payload => Assert.DoesNotContain("in clear", Encoding.UTF8.GetString(payload), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Payloads_over_the_size_limit_are_refused_for_sends_and_group_sends()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { MaxMessageSize = 64 });
        await layer.GroupAddAsync("room", "member", Ct);
        var receive = layer.ReceiveAsync("member", Ct).AsTask();

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(async () => await layer.SendAsync("member", new ChannelMessage("big", new byte[65]), Ct));
        Assert.Equal(64, error.MaxSize);
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await layer.GroupSendAsync("room", new ChannelMessage("big", new byte[65]), Ct));

        await layer.GroupSendAsync("room", new ChannelMessage("fits", new byte[64]), Ct);
        Assert.Equal(64, (await receive.WaitAsync(WaitTimeout, Ct)).Payload.Length);
    }

    [Fact]
    public async Task A_channel_nobody_receives_on_loses_its_subscription_buffer_and_groups_after_the_idle_period()
    {
        var logs = new SignalingLoggerFactory();
        var layer = await NewLayerAsync(loggerFactory: logs, configure: o => o.IdleSubscription = TimeSpan.FromMilliseconds(200));
        var sender = await NewLayerAsync();
        await layer.GroupAddAsync("room", "abandoned", Ct);
        var dropped = logs.WaitForAsync("RedisPubSubMessagesDropped", m => m.Contains("'abandoned'", StringComparison.Ordinal));

        await sender.SendAsync("abandoned", Message("never read"), Ct);

        var log = await dropped.WaitAsync(WaitTimeout, Ct);
        Assert.StartsWith("Dropped 1 unread message", log, StringComparison.Ordinal);
        Assert.Equal(0, await NumSubAsync(ChannelKey("abandoned")));
        Assert.Equal(0, await NumSubAsync(GroupKey("room")));

        // A receive later subscribes afresh: the dropped message is not there, new ones are.
        await ListenAsync(layer, "abandoned");
        await sender.SendAsync("abandoned", Message("fresh"), Ct);
        Assert.Equal("fresh", Text(await ReceiveWithinAsync(layer, "abandoned")));
    }

    [Fact]
    public async Task Flush_drops_buffered_messages_and_memberships()
    {
        var layer = await NewLayerAsync();
        var sender = await NewLayerAsync();
        await layer.GroupAddAsync("room", "member", Ct);
        await sender.SendAsync("member", Message("buffered"), Ct);
        Assert.Equal(new GroupSendResult(1, 0), await sender.GroupSendAsync("room", Message("buffered too"), Ct));

        await layer.FlushAsync(Ct);

        Assert.Equal(0, await NumSubAsync(GroupKey("room")));
        Assert.Equal(new GroupSendResult(0, 0), await sender.GroupSendAsync("room", Message("after"), Ct));
        await AssertQuietAsync(layer.ReceiveAsync("member", Ct).AsTask());
    }

    [Fact]
    public async Task After_redis_restarts_the_layer_subscribes_again_and_delivers()
    {
        await using var server = await RedisServer.StartAsync();
        var logs = new SignalingLoggerFactory();
        var layer = Own(await PubSubLayers.CreateAsync([server], _prefix, loggerFactory: logs, configure: o => o.Servers[0] += ",connectTimeout=1000"));
        var sender = Own(await PubSubLayers.CreateAsync([server], _prefix, configure: o => o.Servers[0] += ",connectTimeout=1000"));
        var waiting = layer.ReceiveAsync("jobs.after", Ct).AsTask();
        await layer.GroupAddAsync("room", "member", Ct);
        var resubscribed = logs.WaitForAsync("RedisPubSubResubscribed");

        await server.KillAsync();
        await Assert.ThrowsAsync<RedisConnectionException>(async () => await sender.SendAsync("jobs.after", Message("lost"), Ct));
        Assert.False(waiting.IsCompleted);
        await server.RestartAsync();

        var log = await resubscribed.WaitAsync(TimeSpan.FromSeconds(30), Ct).ContinueWith(
            t => t.IsCompletedSuccessfully ? t.Result : throw new TimeoutException("No RedisPubSubResubscribed within 30 s; logged:\n" + string.Join('\n', logs.Events.Select(e => $"{e.Id} {e.Message}"))),
            Ct,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
        Assert.Contains("3 channel(s) and group(s)", log, StringComparison.Ordinal);
        await SendWhenBackAsync(() => sender.SendAsync("jobs.after", Message("after"), Ct).AsTask());
        Assert.Equal("after", Text(await waiting.WaitAsync(WaitTimeout, Ct)));
        GroupSendResult result = default;
        await SendWhenBackAsync(async () => result = await sender.GroupSendAsync("room", Message("group after"), Ct));
        Assert.Equal(new GroupSendResult(1, 0), result);
        Assert.Equal("group after", Text(await ReceiveWithinAsync(layer, "member")));
    }

    [Fact]
    public async Task A_subscribe_refused_while_Redis_is_up_is_tried_again_until_it_succeeds()
    {
        // An ACL user that may not subscribe to any channel yet: the server is up, the SUBSCRIBE fails, and no reconnect
        // is coming to subscribe it again.
        var server = redis.Servers[0];
        var user = $"u{Guid.NewGuid():N}";
        await RawRedis.TextAsync(server.Port, WaitTimeout, "ACL", "SETUSER", user, "on", ">secret", "~*", "resetchannels", "+@all");
        var logs = new SignalingLoggerFactory();
        var refused = logs.WaitForAsync("RedisPubSubSubscriptionFailed", message => message.Contains("jobs.refused", StringComparison.Ordinal));
        var layer = Own(await PubSubLayers.CreateAsync([server], _prefix, loggerFactory: logs, configure: o => o.Servers[0] += $",user={user},password=secret"));
        var sender = await NewLayerAsync();

        var receive = layer.ReceiveAsync("jobs.refused", Ct).AsTask();
        await refused.WaitAsync(WaitTimeout, Ct);
        var resubscribed = logs.WaitForAsync("RedisPubSubResubscribed");
        await RawRedis.TextAsync(server.Port, WaitTimeout, "ACL", "SETUSER", user, "allchannels");
        await resubscribed.WaitAsync(WaitTimeout, Ct);

        Assert.Equal(1, await NumSubAsync(ChannelKey("jobs.refused")));
        await sender.SendAsync("jobs.refused", Message("after"), Ct);
        Assert.Equal("after", Text(await receive.WaitAsync(WaitTimeout, Ct)));
    }

    private static ChannelMessage Message(string text) => new("chat.message", Encoding.UTF8.GetBytes(text));

    private static string Text(ChannelMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    private static async Task<ChannelMessage> ReceiveWithinAsync(ChannelLayer layer, string channel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(WaitTimeout);
        return await layer.ReceiveAsync(channel, timeout.Token);
    }

    // "Nothing arrives": the receive is still waiting after a quiet period (a timeout, not a synchronisation).
    private static async Task AssertQuietAsync(Task<ChannelMessage> receive)
    {
        var finished = await Task.WhenAny(receive, Task.Delay(QuietPeriod, Ct));
        Assert.NotSame(receive, finished);
    }

    private static async Task SendWhenBackAsync(Func<Task> send)
    {
        // Bounded retry on the documented fail-fast error while the publishing connection reconnects.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await send();
                return;
            }
            catch (RedisConnectionException) when (!deadline.IsCancellationRequested)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }

    private string ChannelKey(string channel) => $"{_prefix}:ps:{channel}";

    private string GroupKey(string group) => $"{_prefix}:psg:{group}";

    private async Task<RedisPubSubChannelLayer> NewLayerAsync(
        ChannelLayerOptions? options = null,
        TimeProvider? timeProvider = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null,
        Action<RedisPubSubChannelLayerOptions>? configure = null) =>
        Own(await PubSubLayers.CreateAsync(redis.Servers, _prefix, options, timeProvider, loggerFactory: loggerFactory, configure: configure));

    private T Own<T>(T owned)
        where T : IAsyncDisposable
    {
        _owned.Add(owned);
        return owned;
    }

    // PUBSUB NUMSUB, asked by a connection of its own.
    private async Task<long> NumSubAsync(string key)
    {
        await using var probe = await ConnectionMultiplexer.ConnectAsync(redis.Servers[0].ConnectionString);
        return await probe.GetServers()[0].SubscriptionSubscriberCountAsync(RedisChannel.Literal(key));
    }

    // Subscribes the layer to the channel, signalled rather than waited for: a send of the same process waits for the
    // subscription its receive started, so once the layer's own "ready" message is back, the subscription is in place.
    private static async Task ListenAsync(ChannelLayer layer, string channel)
    {
        var receive = layer.ReceiveAsync(channel, Ct).AsTask();
        await layer.SendAsync(channel, Message("ready"), Ct);
        Assert.Equal("ready", Text(await receive.WaitAsync(WaitTimeout, Ct)));
    }

    private async Task<SubscribeProbe> SubscribeProbeAsync(string key)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.Servers[0].ConnectionString);
        return new SubscribeProbe(connection, await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(key)));
    }

    /// <summary>A subscriber of its own (StackExchange.Redis, ordered) that records what is published on one Redis channel.</summary>
    private sealed class SubscribeProbe(ConnectionMultiplexer connection, RedisChannelMessageQueue messages) : IAsyncDisposable
    {
        private readonly List<byte[]> _payloads = [];

        public IReadOnlyList<byte[]> Payloads => _payloads;

        /// <summary>Waits for <paramref name="expected"/> messages, then returns how many arrived in all (more would be a failure).</summary>
        public async Task<int> CountAsync(int expected)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(WaitTimeout);
            while (_payloads.Count < expected)
            {
                _payloads.Add((byte[])(await messages.ReadAsync(timeout.Token)).Message!);
            }

            // The queue keeps the connection's order, so anything published before the last expected message is here already.
            while (messages.TryRead(out var extra))
            {
                _payloads.Add((byte[])extra.Message!);
            }

            return _payloads.Count;
        }

        public async ValueTask DisposeAsync() => await connection.DisposeAsync();
    }
}
