using Switchyard.Redis.Client;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Client;

/// <summary>How the reconnecting client finds a server that is back: soon, and telling every waiter at once.</summary>
public sealed class RedisClientReconnectTests : IAsyncLifetime
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
    public void The_backoff_doubles_from_100_ms_and_never_exceeds_a_second()
    {
        var delays = new List<TimeSpan>();
        var delay = TimeSpan.Zero;
        for (var attempt = 0; attempt < 12; attempt++)
        {
            delay = RedisClient.NextBackoff(delay);
            delays.Add(delay);
        }

        Assert.Equal([100, 200, 400, 800, 1000, 1000], delays.Take(6).Select(d => d.TotalMilliseconds));
        Assert.All(delays, d => Assert.InRange(d, RedisClient.FirstBackoff, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_client_started_without_its_server_fails_fast_then_connects_when_it_is_there_waking_every_waiter()
    {
        await using var client = new RedisClient(RedisConnectionOptions.Parse(_server.ConnectionString + ",connectTimeout=1000"));
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += () => reconnected.TrySetResult();
        client.ConnectInBackground();

        // Not there: commands fail at once (never reached Redis), and the reason is kept for health reports.
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync(["PING"], Ct));
        Assert.False(error.CommandMayHaveRun);
        Assert.False(client.IsConnected);
        var waiters = Enumerable.Range(0, 50).Select(_ => client.WhenConnected).ToArray();
        Assert.DoesNotContain(waiters, w => w.IsCompleted);

        await _server.RestartAsync();

        await Task.WhenAll(waiters).WaitAsync(Timeout, Ct);
        await reconnected.Task.WaitAsync(Timeout, Ct);
        Assert.True(client.IsConnected);
        Assert.Equal("PONG", (await client.ExecuteAsync(["PING"], Ct)).AsString());
    }
}
