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
