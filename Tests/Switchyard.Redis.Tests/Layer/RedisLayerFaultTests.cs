using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>What the Redis layer does when Redis goes away and comes back.</summary>
public sealed class RedisLayerFaultTests : IAsyncLifetime
{
    private RedisServer _server = null!;

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

/// <summary>Subscriptions of channels nobody receives on any more are ended, not kept forever.</summary>
public sealed class RedisLayerSubscriptionTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    [Fact]
    public async Task A_channel_keeps_its_subscription_between_receives_and_loses_it_when_idle()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new RedisChannelLayerOptions { Prefix = $"sub{Guid.NewGuid():N}", IdleSubscription = TimeSpan.FromMilliseconds(200) };
        options.Servers.Add(redis.Servers[0].ConnectionString);
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: ct);
        await using var probe = await Switchyard.Redis.Client.RedisConnection.ConnectAsync(Switchyard.Redis.Client.RedisConnectionOptions.Parse(redis.Servers[0].ConnectionString), ct);
        var key = $"{options.Prefix}:ch:jobs.idle";

        await layer.SendAsync("jobs.idle", new ChannelMessage("jobs.idle", new byte[] { 1 }), ct);
        await layer.ReceiveAsync("jobs.idle", ct);
        Assert.Equal(1, await SubscribersAsync(probe, key, ct));

        // The sweep runs every IdleSubscription: wait (bounded) for it to end the idle subscription.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        while (await SubscribersAsync(probe, key, ct) != 0)
        {
            await Task.Delay(50, deadline.Token);
        }

        // And the channel still works.
        var receive = layer.ReceiveAsync("jobs.idle", ct).AsTask();
        await layer.SendAsync("jobs.idle", new ChannelMessage("jobs.idle", new byte[] { 2 }), ct);
        Assert.Equal(new byte[] { 2 }, (await receive.WaitAsync(TimeSpan.FromSeconds(10), ct)).Payload.ToArray());
    }

    private static async Task<long> SubscribersAsync(Switchyard.Redis.Client.RedisConnection probe, string key, CancellationToken ct) =>
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
        await using var probe = await Switchyard.Redis.Client.RedisConnection.ConnectAsync(Switchyard.Redis.Client.RedisConnectionOptions.Parse(redis.Servers[0].ConnectionString), ct);

        await theirs.SendAsync("secret.box", new ChannelMessage("secret.box", "theirs"u8.ToArray()), ct);
        await ours.SendAsync("secret.box", new ChannelMessage("secret.box", "ours, in clear nowhere"u8.ToArray()), ct);
        var stored = await probe.ExecuteAsync(["LRANGE", $"{prefix}:ch:secret.box", 0, -1], ct);
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
