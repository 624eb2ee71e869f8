using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>The Redis layer without Redis: starting before it, reporting its health, and using it the moment it is back.</summary>
public sealed class RedisLayerAvailabilityTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private RedisServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Port => _server.Port.ToString(CultureInfo.InvariantCulture);

    public ValueTask InitializeAsync()
    {
        _server = RedisServer.NotStarted();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_layer_starts_without_Redis_reports_itself_unhealthy_and_works_once_Redis_is_there()
    {
        await using var layer = await RedisChannelLayer.ConnectAsync(Options("start"), cancellationToken: Ct);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<ChannelLayerConnectionEventArgs>();
        layer.ConnectionChanged += (_, e) => changes.Writer.TryWrite(e);

        Assert.False(layer.IsConnected);
        var health = await layer.CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains($"127.0.0.1:{Port}", health.Description, StringComparison.Ordinal);
        Assert.Equal(0, health.Data["connectedServers"]);

        // A worker waiting on its channel and a connection's channel, both made while Redis is away.
        var worker = layer.ReceiveAsync("jobs.early", Ct).AsTask();
        var local = await layer.NewChannelAsync(cancellationToken: Ct);
        var connection = layer.ReceiveAsync(local, Ct).AsTask();
        await Assert.ThrowsAsync<RedisConnectionException>(() => layer.SendAsync("jobs.early", Message("too soon"), Ct).AsTask());

        await _server.RestartAsync();
        var back = await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.True(back.IsConnected);
        Assert.True(layer.IsConnected);

        // Another process sends to both: each waiting receive gets its message.
        await using var other = await RedisChannelLayer.ConnectAsync(Options("start"), cancellationToken: Ct);
        await other.SendAsync("jobs.early", Message("for the worker"), Ct);
        await other.SendAsync(local, Message("for the connection"), Ct);
        Assert.Equal("for the worker", Text(await worker.WaitAsync(Timeout, Ct)));
        Assert.Equal("for the connection", Text(await connection.WaitAsync(Timeout, Ct)));

        health = await layer.CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal(1, health.Data["connectedServers"]);
        Assert.Equal(1, health.Data["receiveLoops"]);
    }

    [Fact]
    public async Task With_AbortOnConnectFail_a_server_that_is_not_there_is_an_error_naming_it()
    {
        var options = Options("abort");
        options.AbortOnConnectFail = true;

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct));

        Assert.Contains($"127.0.0.1:{Port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_send_that_waited_for_Redis_in_vain_fails_after_ReconnectWait_saying_so_and_that_it_was_not_sent()
    {
        var options = Options("vain");
        options.ReconnectWait = TimeSpan.FromMilliseconds(300);
        await using var layer = await RedisChannelLayer.ConnectAsync(options, cancellationToken: Ct);

        var waited = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => layer.SendAsync("jobs.vain", Message("never"), Ct).AsTask());
        var groupError = await Assert.ThrowsAsync<RedisConnectionException>(() => layer.GroupSendAsync("vain", Message("never"), Ct).AsTask());
        waited.Stop();

        foreach (var e in new[] { error, groupError })
        {
            Assert.False(e.CommandMayHaveRun);
            Assert.Contains("ReconnectWait (0.3 s)", e.Message, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{Port}", e.Message, StringComparison.Ordinal);
        }

        // Two waits of 300 ms, not a connect timeout or a hang.
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_layer_is_unhealthy_while_Redis_is_away_and_healthy_again_once_it_is_back()
    {
        await _server.RestartAsync();
        await using var layer = await RedisChannelLayer.ConnectAsync(Options("health"), cancellationToken: Ct);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<ChannelLayerConnectionEventArgs>();
        layer.ConnectionChanged += (_, e) => changes.Writer.TryWrite(e);
        Assert.Equal(HealthStatus.Healthy, (await layer.CheckHealthAsync(Ct)).Status);

        await _server.KillAsync();
        Assert.False((await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct)).IsConnected);
        var health = await layer.CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains($"127.0.0.1:{Port}", health.Description, StringComparison.Ordinal);

        await _server.RestartAsync();
        Assert.True((await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct)).IsConnected);
        Assert.Equal(HealthStatus.Healthy, (await layer.CheckHealthAsync(Ct)).Status);
    }

    [Fact]
    public async Task A_send_waiting_out_a_long_outage_goes_through_within_about_a_second_of_Redis_coming_back()
    {
        await _server.RestartAsync();
        var options = Options("prompt");
        options.ReconnectWait = TimeSpan.FromSeconds(60);
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
        var sending = layer.SendAsync("jobs.patient", Message("waited"), Ct).AsTask();

        // The outage lasts long enough for an unbounded doubling backoff to have grown past 5 s (100 ms doubling to 5 s
        // tried at 0.1, 0.3, 0.7, 1.5, 3.1, 6.3 and 11.3 s: a Redis back at 6.5 s waited until 11.3 s). This pause is
        // the outage itself, not a wait for something to happen.
        await Task.Delay(TimeSpan.FromSeconds(6.5), Ct);
        Assert.False(sending.IsCompleted);
        await _server.RestartAsync();
        var back = Stopwatch.StartNew();
        await sending.WaitAsync(Timeout, Ct);
        back.Stop();

        TestContext.Current.TestOutputHelper?.WriteLine($"The waiting send went through {back.ElapsedMilliseconds} ms after Redis was back.");
        // The backoff tries at least once a second; the rest is room for a loaded two-core machine.
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(2.5), $"The waiting send took {back.ElapsedMilliseconds} ms after Redis was back.");
        Assert.Equal("waited", Text(await layer.ReceiveAsync("jobs.patient", Ct).AsTask().WaitAsync(Timeout, Ct)));
    }

    [Fact]
    public async Task After_Redis_restarts_empty_a_group_send_reaches_the_members_that_joined_since_not_the_ones_known_before()
    {
        await _server.RestartAsync();
        await using var layer = await RedisChannelLayer.ConnectAsync(Options("restart"), cancellationToken: Ct);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<ChannelLayerConnectionEventArgs>();
        layer.ConnectionChanged += (_, e) => changes.Writer.TryWrite(e);

        // The process learns the group's members (membership version 1) by fanning out one group message.
        var before = await layer.NewChannelAsync(cancellationToken: Ct);
        await layer.GroupAddAsync("room", before, Ct);
        await layer.GroupSendAsync("room", Message("before"), Ct);
        Assert.Equal("before", Text(await layer.ReceiveAsync(before, Ct).AsTask().WaitAsync(Timeout, Ct)));

        // Redis restarts empty; the old member is gone with it, a new one joins: the version counter starts again.
        await _server.KillAsync();
        Assert.False((await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct)).IsConnected);
        await _server.RestartAsync();
        Assert.True((await changes.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct)).IsConnected);
        var after = await layer.NewChannelAsync(cancellationToken: Ct);
        await layer.GroupAddAsync("room", after, Ct);
        await layer.GroupSendAsync("room", Message("after"), Ct);

        Assert.Equal("after", Text(await layer.ReceiveAsync(after, Ct).AsTask().WaitAsync(Timeout, Ct)));
    }

    private RedisChannelLayerOptions Options(string prefix)
    {
        var options = new RedisChannelLayerOptions { Prefix = prefix };
        options.Servers.Add(_server.ConnectionString + ",connectTimeout=1000");
        return options;
    }

    private static ChannelMessage Message(string text) => new("test.text", System.Text.Encoding.UTF8.GetBytes(text));

    private static string Text(ChannelMessage message) => System.Text.Encoding.UTF8.GetString(message.Payload.Span);
}
