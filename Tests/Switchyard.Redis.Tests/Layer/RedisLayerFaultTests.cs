using Switchyard.Redis.Connections;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>What the Redis layer does when Redis goes away and comes back.</summary>
public sealed class RedisLayerFaultTests : IAsyncLifetime
{
    private RedisServer _server = null!;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Sends_fail_fast_while_Redis_is_down_and_a_waiting_receive_gets_what_is_sent_once_it_is_back()
    {
        var options = new RedisChannelLayerOptions { Prefix = "fault" };
        options.Servers.Add(_server.ConnectionString + ",connectTimeout=1000");
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
        var waiting = layer.ReceiveAsync("jobs.thumbnail", Ct).AsTask();

        await _server.KillAsync();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => layer.SendAsync("jobs.thumbnail", new ChannelMessage("jobs.thumbnail", "lost?"u8.ToArray()), Ct).AsTask());
        Assert.Contains(_server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.False(waiting.IsCompleted);

        await _server.RestartAsync();
        // The layer's clients reconnect on their own (backoff from 100 ms); sends succeed again once they have.
        await SendWhenBackAsync(layer, new ChannelMessage("jobs.thumbnail", "after"u8.ToArray()));

        var received = await waiting.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal("after"u8.ToArray(), received.Payload.ToArray());
    }

    [Fact]
    public async Task The_layer_says_when_it_loses_Redis_and_when_it_is_back()
    {
        var options = new RedisChannelLayerOptions { Prefix = "signal" };
        options.Servers.Add(_server.ConnectionString + ",connectTimeout=1000");
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<ChannelLayerConnectionEventArgs>();
        layer.ConnectionChanged += (_, e) => changes.Writer.TryWrite(e);
        Assert.True(layer.IsConnected);

        await _server.KillAsync();
        var lost = await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.False(lost.IsConnected);
        Assert.NotNull(lost.Error);
        Assert.False(layer.IsConnected);

        await _server.RestartAsync();
        var back = await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(back.IsConnected);
        Assert.True(layer.IsConnected);
    }

    [Fact]
    public async Task With_a_reconnect_wait_a_send_made_while_Redis_is_down_waits_for_it_and_is_delivered_once()
    {
        var options = new RedisChannelLayerOptions { Prefix = "wait", ReconnectWait = TimeSpan.FromSeconds(30) };
        options.Servers.Add(_server.ConnectionString + ",connectTimeout=1000");
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        layer.ConnectionChanged += (_, e) =>
        {
            if (!e.IsConnected)
            {
                lost.TrySetResult();
            }
        };

        await _server.KillAsync();
        await lost.Task.WaitAsync(Timeout, Ct);
        var sending = layer.SendAsync("jobs.patient", new ChannelMessage("jobs.patient", "waited"u8.ToArray()), Ct).AsTask();
        Assert.False(sending.IsCompleted);

        await _server.RestartAsync();
        await sending.WaitAsync(Timeout, Ct);

        Assert.Equal("waited"u8.ToArray(), (await layer.ReceiveAsync("jobs.patient", Ct).AsTask().WaitAsync(Timeout, Ct)).Payload.ToArray());
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => layer.ReceiveAsync("jobs.patient", quiet.Token).AsTask());
    }

    [Fact]
    public async Task Under_traffic_a_Redis_restart_loses_nothing_silently_every_message_is_delivered_once_or_reported_failed()
    {
        var options = new RedisChannelLayerOptions { Prefix = "traffic" };
        options.Servers.Add(_server.ConnectionString + ",connectTimeout=1000");
        options.Layer.Capacity = 100_000;
        await using var senderLayer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
        await using var receiverLayer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);
        var local = await receiverLayer.NewChannelAsync(cancellationToken: Ct);

        // Two streams, one to a worker channel (a plain list) and one to a process-local channel (the process inbox),
        // each numbered. Once a third of each is sent and received, Redis is killed (without persistence it forgets
        // what it held, so nothing is left queued in it then: the test is about the layer, not Redis's durability);
        // the streams go on sending into the outage, and Redis is restarted once sends have failed for a while.
        const int Count = 600;
        var plain = new TrafficStream("jobs.traffic");
        var inbox = new TrafficStream(local);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        senderLayer.ConnectionChanged += (_, e) =>
        {
            if (e.IsConnected)
            {
                back.TrySetResult();
            }
        };
        var receiving = Task.WhenAll(plain.ReceiveAsync(receiverLayer, Count / 3, Ct), inbox.ReceiveAsync(receiverLayer, Count / 3, Ct));
        var sending = Task.WhenAll(
            plain.SendAsync(senderLayer, Count, killed.Task, back.Task, Ct),
            inbox.SendAsync(senderLayer, Count, killed.Task, back.Task, Ct));

        await Task.WhenAll(plain.ThirdReceived.Task, inbox.ThirdReceived.Task).WaitAsync(Timeout, Ct);
        await _server.KillAsync();
        killed.TrySetResult();
        await Task.WhenAll(plain.FailedSome.Task, inbox.FailedSome.Task).WaitAsync(Timeout, Ct);
        await _server.RestartAsync();
        await sending.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        // Each stream ends with a marker sent once Redis is back; FIFO puts everything that was queued before it.
        await plain.EndAsync(senderLayer, Ct);
        await inbox.EndAsync(senderLayer, Ct);
        await receiving.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        foreach (var stream in new[] { plain, inbox })
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{stream.Channel}: {Count} sent, {stream.Received.Count} delivered, {stream.Failed.Count} reported failed ({stream.FailedUnsent.Count} never reached Redis)");
            Assert.Equal(stream.Received.Count, stream.Received.Distinct().Count());
            Assert.All(Enumerable.Range(0, Count), id => Assert.True(stream.Received.Contains(id) || stream.Failed.Contains(id), $"Message {id} to {stream.Channel} was neither delivered nor reported failed."));
            Assert.Empty(stream.Received.Intersect(stream.FailedUnsent));
            Assert.NotEmpty(stream.Failed);
            Assert.True(stream.Received.Count > Count / 3, $"Only {stream.Received.Count} of {Count} were delivered.");
        }
    }

    private static async Task SendWhenBackAsync(ChannelLayer layer, ChannelMessage message)
    {
        // Bounded retry on the documented fail-fast error: this waits for the reconnect, it does not paper over a bug.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                await layer.SendAsync("jobs.thumbnail", message, Ct);
                return;
            }
            catch (RedisConnectionException) when (!deadline.IsCancellationRequested)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }
}

/// <summary>One numbered stream of messages to a channel during a fault, and what became of each.</summary>
internal sealed class TrafficStream(string channel)
{
    private const string EndMarker = "end";

    public string Channel => channel;

    public List<int> Received { get; } = [];

    public HashSet<int> Failed { get; } = [];

    public HashSet<int> FailedUnsent { get; } = [];

    public TaskCompletionSource ThirdReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource FailedSome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task SendAsync(ChannelLayer layer, int count, Task killed, Task back, CancellationToken ct)
    {
        for (var id = 0; id < count; id++)
        {
            if (id == count / 3)
            {
                // Hold here until Redis is down, so some sends of this stream meet the outage.
                await killed.WaitAsync(TimeSpan.FromSeconds(20), ct);
            }

            try
            {
                await layer.SendAsync(channel, new ChannelMessage("test.id", System.Text.Encoding.ASCII.GetBytes(id.ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);
            }
            catch (RedisConnectionException ex)
            {
                Failed.Add(id);
                if (!ex.CommandMayHaveRun)
                {
                    FailedUnsent.Add(id);
                }

                if (Failed.Count >= 5)
                {
                    FailedSome.TrySetResult();

                    // Sends fail fast while Redis is away: wait for it rather than spinning through the rest.
                    await back.WaitAsync(TimeSpan.FromSeconds(30), ct);
                }
            }
        }
    }

    public async Task EndAsync(ChannelLayer layer, CancellationToken ct) =>
        await layer.SendAsync(channel, new ChannelMessage("test.id", System.Text.Encoding.ASCII.GetBytes(EndMarker)), ct);

    public async Task ReceiveAsync(ChannelLayer layer, int third, CancellationToken ct)
    {
        while (true)
        {
            if (Received.Count == third)
            {
                ThirdReceived.TrySetResult();
            }

            var text = System.Text.Encoding.ASCII.GetString((await layer.ReceiveAsync(channel, ct)).Payload.Span);
            if (text == EndMarker)
            {
                return;
            }

            Received.Add(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>Subscriptions of channels nobody receives on any more are ended, not kept forever.</summary>
public sealed class RedisLayerSubscriptionTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    [Fact]
    public async Task A_channel_keeps_its_subscription_between_receives_and_loses_it_when_idle()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new RedisChannelLayerOptions { Prefix = $"sub{Guid.NewGuid():N}", IdleSubscription = TimeSpan.FromSeconds(1) };
        options.Servers.Add(redis.Servers[0].ConnectionString);
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: ct);
        await using var probe = await RedisProbe.ConnectAsync(redis.Servers[0].ConnectionString);
        var key = $"{options.Prefix}:ch:{{jobs.idle}}";

        // A receive that finds a message there takes it without subscribing.
        await layer.SendAsync("jobs.idle", new ChannelMessage("jobs.idle", new byte[] { 1 }), ct);
        await layer.ReceiveAsync("jobs.idle", ct);
        Assert.Equal(0, await SubscribersAsync(probe, key, ct));

        // One that has to wait subscribes, and the subscription stays after it, for the next receive.
        var waiting = layer.ReceiveAsync("jobs.idle", ct).AsTask();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        while (await SubscribersAsync(probe, key, ct) != 1)
        {
            await Task.Delay(20, deadline.Token);
        }

        await layer.SendAsync("jobs.idle", new ChannelMessage("jobs.idle", new byte[] { 3 }), ct);
        Assert.Equal(new byte[] { 3 }, (await waiting.WaitAsync(TimeSpan.FromSeconds(10), ct)).Payload.ToArray());
        Assert.Equal(1, await SubscribersAsync(probe, key, ct));

        // The sweep runs every IdleSubscription: wait (bounded) for it to end the idle subscription.
        while (await SubscribersAsync(probe, key, ct) != 0)
        {
            await Task.Delay(50, deadline.Token);
        }

        // And the channel still works.
        var receive = layer.ReceiveAsync("jobs.idle", ct).AsTask();
        await layer.SendAsync("jobs.idle", new ChannelMessage("jobs.idle", new byte[] { 2 }), ct);
        Assert.Equal(new byte[] { 2 }, (await receive.WaitAsync(TimeSpan.FromSeconds(10), ct)).Payload.ToArray());
    }

    private static async Task<long> SubscribersAsync(RedisProbe probe, string key, CancellationToken ct) =>
        (await probe.ExecuteAsync(["PUBSUB", "NUMSUB", key], ct)).Items![1].AsInteger();
}

/// <summary>Entries a layer cannot read are dropped with a log, and the channel keeps working.</summary>
public sealed class RedisLayerEncryptionTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    [Fact]
    public async Task Payloads_are_sealed_and_an_entry_sealed_with_an_unknown_key_is_dropped_with_a_log()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"enc{Guid.NewGuid():N}";
        var logs = new CountingLoggerFactory();
        await using var ours = await ConnectAsync(prefix, "our key", logs, ct);
        await using var theirs = await ConnectAsync(prefix, "another key", null, ct);
        await using var probe = await RedisProbe.ConnectAsync(redis.Servers[0].ConnectionString);

        await theirs.SendAsync("secret.box", new ChannelMessage("secret.box", "theirs"u8.ToArray()), ct);
        await ours.SendAsync("secret.box", new ChannelMessage("secret.box", "ours, in clear nowhere"u8.ToArray()), ct);
        var stored = await probe.ExecuteAsync(["LRANGE", $"{prefix}:ch:{{secret.box}}", 0, -1], ct);
        Assert.All(stored.Items!, entry => Assert.DoesNotContain("in clear", System.Text.Encoding.UTF8.GetString(entry.Bytes!), StringComparison.Ordinal));

        var received = await ours.ReceiveAsync("secret.box", ct);
        Assert.Equal("ours, in clear nowhere"u8.ToArray(), received.Payload.ToArray());
        Assert.Equal(1, logs.Errors);
    }

    private async Task<RedisChannelLayer> ConnectAsync(string prefix, string key, Microsoft.Extensions.Logging.ILoggerFactory? logs, CancellationToken ct)
    {
        var options = new RedisChannelLayerOptions { Prefix = prefix };
        options.Servers.Add(redis.Servers[0].ConnectionString);
        options.EncryptionKeys.Add(key);
        return await RedisChannelLayer.ConnectAsync(options, loggerFactory: logs, cancellationToken: ct);
    }

    private sealed class CountingLoggerFactory : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILogger
    {
        private int _errors;

        public int Errors => Volatile.Read(ref _errors);

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider) => throw new NotSupportedException();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == "RedisUnreadableEntry")
            {
                Interlocked.Increment(ref _errors);
            }
        }

        public void Dispose()
        {
        }
    }
}
