using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.PubSub;

/// <summary>The pub/sub layer without Redis: starting before it, saying so, and listening once Redis is there.</summary>
public sealed class RedisPubSubAvailabilityTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private RedisServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _server = RedisServer.NotStarted();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_pubsub_layer_starts_without_Redis_is_unhealthy_and_subscribes_to_what_it_was_asked_once_Redis_is_there()
    {
        await using var layer = await RedisPubSubChannelLayer.ConnectAsync(Options(), cancellationToken: Ct);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<ChannelLayerConnectionEventArgs>();
        layer.ConnectionChanged += (_, e) => changes.Writer.TryWrite(e);

        Assert.False(layer.IsConnected);
        var health = await layer.CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains($"127.0.0.1:{_server.Port.ToString(CultureInfo.InvariantCulture)}", health.Description, StringComparison.Ordinal);

        // Asked for while Redis is away: a receive on a channel and a member of a group.
        var receiving = layer.ReceiveAsync("news.direct", Ct).AsTask();
        var member = await layer.NewChannelAsync(cancellationToken: Ct);
        await layer.GroupAddAsync("news", member, Ct);
        await Assert.ThrowsAsync<RedisConnectionException>(() => layer.SendAsync("news.direct", Message("too soon"), Ct).AsTask());

        await _server.RestartAsync();
        Assert.True((await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct)).IsConnected);

        // Another process publishes until this one hears (its subscriptions are made right after the reconnect).
        await using var other = await RedisPubSubChannelLayer.ConnectAsync(Options(), cancellationToken: Ct);
        var grouped = layer.ReceiveAsync(member, Ct).AsTask();
        await PublishUntilHeardAsync(() => other.SendAsync("news.direct", Message("direct"), Ct).AsTask(), receiving);
        await PublishUntilHeardAsync(() => other.GroupSendAsync("news", Message("to the group"), Ct).AsTask(), grouped);
        Assert.Equal("direct", Text(await receiving));
        Assert.Equal("to the group", Text(await grouped));

        health = await layer.CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal(1, health.Data["connectedServers"]);
    }

    // At most once, to listeners only: a publish before the resubscription is rightly lost, so publish (bounded) until heard.
    private static async Task PublishUntilHeardAsync(Func<Task> publish, Task heard)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(Timeout);
        while (!heard.IsCompleted)
        {
            await publish();
            await Task.WhenAny(heard, Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token));
            deadline.Token.ThrowIfCancellationRequested();
        }
    }

    private RedisPubSubChannelLayerOptions Options()
    {
        var options = new RedisPubSubChannelLayerOptions { Prefix = "psstart" };
        options.Servers.Add(_server.ConnectionString + ",connectTimeout=1000");
        return options;
    }

    private static ChannelMessage Message(string text) => new("test.text", System.Text.Encoding.UTF8.GetBytes(text));

    private static string Text(ChannelMessage message) => System.Text.Encoding.UTF8.GetString(message.Payload.Span);
}
