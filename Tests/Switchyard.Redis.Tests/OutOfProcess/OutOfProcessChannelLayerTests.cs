using System.Diagnostics;
using System.Text;
using Switchyard.ChannelLayers.OutOfProcess;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.OutOfProcess;

/// <summary>The out-of-process harness itself: real layer hosts, their exit, their death, and bad command lines.</summary>
public sealed class OutOfProcessChannelLayerTests(OneRedisServer redis) : IClassFixture<OneRedisServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _prefix = $"oopt{Guid.NewGuid():N}";

    [Fact]
    public async Task Each_layer_runs_in_its_own_host_process_and_they_share_channels_through_redis()
    {
        await using var pool = new LayerHostPool { IdlePerCommand = 0 };
        await using var sender = await StartAsync(pool);
        await using var receiver = await StartAsync(pool);

        Assert.NotEqual(Environment.ProcessId, sender.HostProcessId);
        Assert.NotEqual(sender.HostProcessId, receiver.HostProcessId);
        Assert.Equal("redis", receiver.Name);
        Assert.True((receiver.Capabilities & ChannelLayerCapabilities.CrossProcess) != 0);

        var channel = await receiver.NewChannelAsync("oop", TestContext.Current.CancellationToken);
        await sender.SendAsync(channel, new ChannelMessage("oop.test", "across"u8.ToArray()), TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(Timeout);
        var received = await receiver.ReceiveAsync(channel, timeout.Token);

        Assert.Equal("across", Encoding.UTF8.GetString(received.Payload.Span));
    }

    [Fact]
    public async Task Closing_the_layer_ends_its_host_with_exit_code_0()
    {
        await using var pool = new LayerHostPool { IdlePerCommand = 0 };
        var layer = await StartAsync(pool);
        using var host = Process.GetProcessById(layer.HostProcessId);

        // CloseAsync throws unless the host exits with 0 in time; the process is gone afterwards.
        await layer.CloseAsync().AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken);

        await host.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(host.HasExited);
        await Assert.ThrowsAsync<ChannelLayerClosedException>(async () => await layer.SendAsync("after-close", new ChannelMessage("oop.test", Array.Empty<byte>()), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task When_the_host_dies_pending_and_later_calls_fail_naming_its_standard_error()
    {
        await using var pool = new LayerHostPool { IdlePerCommand = 0 };
        await using var layer = await StartAsync(pool);
        using var timeout = new CancellationTokenSource(Timeout);
        var receive = layer.ReceiveAsync($"{_prefix}-waiting", timeout.Token).AsTask();
        Assert.False(receive.IsCompleted);

        using (var host = Process.GetProcessById(layer.HostProcessId))
        {
            host.Kill();
            await host.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAsync<LayerHostException>(() => receive.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.False(timeout.IsCancellationRequested);
        Assert.Contains($"process {layer.HostProcessId}", error.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 137", error.Message, StringComparison.Ordinal);

        // The host's own line on its standard error, written when it created the layer, is quoted.
        Assert.Contains($"layer host {layer.HostProcessId} (redis): serving a redis layer", error.Message, StringComparison.Ordinal);
        var later = await Assert.ThrowsAsync<LayerHostException>(async () => await layer.SendAsync($"{_prefix}-later", new ChannelMessage("oop.test", Array.Empty<byte>()), TestContext.Current.CancellationToken));
        Assert.Same(error, later);
        Assert.False(layer.IsConnected);
    }

    [Fact]
    public async Task A_host_with_a_bad_command_line_fails_the_start_with_its_usage()
    {
        await using var pool = new LayerHostPool { IdlePerCommand = 0 };

        var error = await Assert.ThrowsAsync<LayerHostException>(() =>
            OutOfProcessChannelLayer.StartAsync(pool, new LayerHostCommand("no-such-kind", []), new ChannelLayerOptions(), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("redis <servers (comma-separated host:port)> <key prefix>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_layer_the_host_cannot_create_fails_the_start_with_the_layer_error()
    {
        await using var pool = new LayerHostPool { IdlePerCommand = 0 };

        // The Redis layer refuses an empty key prefix; its ArgumentException comes back as one.
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            OutOfProcessChannelLayer.StartAsync(pool, new LayerHostCommand("redis", [redis.Servers[0].ConnectionString, string.Empty]), new ChannelLayerOptions(), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("Prefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_layer_metrics_are_recorded_once_on_the_parent_meter_factory()
    {
        await using var pool = new LayerHostPool { IdlePerCommand = 0 };
        var time = new ManualTimeProvider();
        using var meters = new TestMeterFactory();
        using var metrics = new MetricCollector(meters);
        await using var layer = await OutOfProcessChannelLayer.StartAsync(
            pool, Command(), new ChannelLayerOptions { Expiry = TimeSpan.FromSeconds(10) }, time, meters, TestContext.Current.CancellationToken);
        var channel = $"{_prefix}-counted";

        await layer.SendAsync(channel, new ChannelMessage("oop.test", "kept"u8.ToArray()), TestContext.Current.CancellationToken);
        await layer.SendAsync(channel, new ChannelMessage("oop.test", "stale"u8.ToArray()), TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(Timeout);
        await layer.ReceiveAsync(channel, timeout.Token);
        time.Advance(TimeSpan.FromSeconds(11));
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await layer.ReceiveAsync(channel, quiet.Token));

        // Counted by the host's layer, relayed once: not by the proxy's base class as well.
        Assert.Equal(2, metrics.Total("switchyard.layer.messages.sent"));
        Assert.Equal(1, metrics.Total("switchyard.layer.messages.received"));
        Assert.Equal(1, metrics.Total("switchyard.layer.messages.expired", "switchyard.layer", "redis"));
    }

    private LayerHostCommand Command() => new("redis", [redis.Servers[0].ConnectionString, _prefix]);

    private async Task<OutOfProcessChannelLayer> StartAsync(LayerHostPool pool) =>
        await OutOfProcessChannelLayer.StartAsync(pool, Command(), new ChannelLayerOptions(), cancellationToken: TestContext.Current.CancellationToken);
}
