using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Switchyard.Benchmarks;

/// <summary>
/// Point-to-point messaging on one channel: the in-memory layer's <see cref="ChannelLayer.SendAsync"/> and
/// <see cref="ChannelLayer.ReceiveAsync"/> next to bare <see cref="System.Threading.Channels"/> doing the same work.
/// </summary>
/// <remarks>
/// <para><c>SendReceive</c>: send one message, then receive it; both complete synchronously (the message is
/// queued, then dequeued). One operation is one send plus one receive.</para>
/// <para><c>PingPong</c>: two loops bounce the message over two channels; each side's receive is normally already
/// waiting when the other side sends, so every message takes the waiting path (hand-off to a parked receive and
/// a thread-pool hop to resume it). One operation is one round trip: two sends and two receives. 10,000 round
/// trips per invocation amortize the two async state machines each invocation allocates, so the Allocated
/// column shows what the waiting path itself allocates per round trip.</para>
/// <para>The envelope is built once in <see cref="Setup"/> and reused, so no benchmark serializes anything.</para>
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class SendReceiveBenchmarks
{
    private const int Operations = 1_000;
    private const int RoundTrips = 10_000;

    private InMemoryChannelLayer _layer = null!;
    private ChannelMessage _message = null!;
    private string _channel = null!;
    private string _ping = null!;
    private string _pong = null!;
    private Channel<ChannelMessage> _unbounded = null!;
    private Channel<ChannelMessage> _bounded = null!;
    private Channel<ChannelMessage> _pingChannel = null!;
    private Channel<ChannelMessage> _pongChannel = null!;
    private ChannelMessage? _last;

    /// <summary>Creates the layer, the channels and the one envelope every benchmark reuses.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _layer = new InMemoryChannelLayer();
        _message = new ChannelMessage("chat.message", new byte[64]);

        // Names as consumers get them: process-local, "specific.inmemory!<22 random characters>".
        _channel = _layer.NewChannelAsync().AsTask().GetAwaiter().GetResult();
        _ping = _layer.NewChannelAsync().AsTask().GetAwaiter().GetResult();
        _pong = _layer.NewChannelAsync().AsTask().GetAwaiter().GetResult();

        _unbounded = Channel.CreateUnbounded<ChannelMessage>();
        _bounded = Channel.CreateBounded<ChannelMessage>(100);
        _pingChannel = Channel.CreateUnbounded<ChannelMessage>();
        _pongChannel = Channel.CreateUnbounded<ChannelMessage>();
    }

    /// <summary>Closes the layer.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _layer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.KeepAlive(_last);
    }

    /// <summary>Bare unbounded channel: <c>WriteAsync</c> then <c>ReadAsync</c>.</summary>
    /// <returns>A task that completes when all operations are done.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    [BenchmarkCategory("SendReceive")]
    public async Task SendReceive_UnboundedChannel_Baseline()
    {
        var writer = _unbounded.Writer;
        var reader = _unbounded.Reader;
        ChannelMessage? last = null;
        for (var i = 0; i < Operations; i++)
        {
            await writer.WriteAsync(_message);
            last = await reader.ReadAsync();
        }

        _last = last;
    }

    /// <summary>Bare bounded channel (capacity 100, like the layer's default): <c>WriteAsync</c> then <c>ReadAsync</c>.</summary>
    /// <returns>A task that completes when all operations are done.</returns>
    [Benchmark(OperationsPerInvoke = Operations)]
    [BenchmarkCategory("SendReceive")]
    public async Task SendReceive_BoundedChannel_Baseline()
    {
        var writer = _bounded.Writer;
        var reader = _bounded.Reader;
        ChannelMessage? last = null;
        for (var i = 0; i < Operations; i++)
        {
            await writer.WriteAsync(_message);
            last = await reader.ReadAsync();
        }

        _last = last;
    }

    /// <summary>In-memory layer: <c>SendAsync</c> then <c>ReceiveAsync</c> on one channel.</summary>
    /// <returns>A task that completes when all operations are done.</returns>
    [Benchmark(OperationsPerInvoke = Operations)]
    [BenchmarkCategory("SendReceive")]
    public async Task SendReceive_InMemoryLayer_Switchyard()
    {
        var layer = _layer;
        var channel = _channel;
        ChannelMessage? last = null;
        for (var i = 0; i < Operations; i++)
        {
            await layer.SendAsync(channel, _message);
            last = await layer.ReceiveAsync(channel);
        }

        _last = last;
    }

    /// <summary>Bare unbounded channels: a round trip with the receive waiting before each send.</summary>
    /// <returns>A task that completes when all round trips are done.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTrips)]
    [BenchmarkCategory("PingPong")]
    public async Task PingPong_UnboundedChannel_Baseline()
    {
        var ponger = PongChannelAsync(_pingChannel.Reader, _pongChannel.Writer);
        var ping = _pingChannel.Writer;
        var pong = _pongChannel.Reader;
        ChannelMessage? last = null;
        for (var i = 0; i < RoundTrips; i++)
        {
            await ping.WriteAsync(_message);
            last = await pong.ReadAsync();
        }

        await ponger;
        _last = last;
    }

    /// <summary>In-memory layer: a round trip with the receive waiting before each send.</summary>
    /// <returns>A task that completes when all round trips are done.</returns>
    [Benchmark(OperationsPerInvoke = RoundTrips)]
    [BenchmarkCategory("PingPong")]
    public async Task PingPong_InMemoryLayer_Switchyard()
    {
        var ponger = PongLayerAsync();
        var layer = _layer;
        ChannelMessage? last = null;
        for (var i = 0; i < RoundTrips; i++)
        {
            await layer.SendAsync(_ping, _message);
            last = await layer.ReceiveAsync(_pong);
        }

        await ponger;
        _last = last;
    }

    private static async Task PongChannelAsync(ChannelReader<ChannelMessage> ping, ChannelWriter<ChannelMessage> pong)
    {
        for (var i = 0; i < RoundTrips; i++)
        {
            var message = await ping.ReadAsync();
            await pong.WriteAsync(message);
        }
    }

    private async Task PongLayerAsync()
    {
        var layer = _layer;
        for (var i = 0; i < RoundTrips; i++)
        {
            var message = await layer.ReceiveAsync(_ping);
            await layer.SendAsync(_pong, message);
        }
    }
}
