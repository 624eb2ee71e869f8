using System.Diagnostics.Metrics;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Layer;
using Switchyard.Redis.Tests.PubSub;
using Switchyard.Redis.Tests.Support;
using Switchyard.Testing;
using Xunit;

namespace Switchyard.Redis.Tests.Forwarding;

[Message("ticker.tick")]
public sealed partial record Tick(int Seq);

[Message("ticker.note")]
public sealed partial record TickerNote(string Text);

/// <summary>Ticks are only forwarded (the forwarding path); notes go through a handler that counts them.</summary>
[WebSocketConsumer("/ticker/")]
[JoinGroup("ticker")]
public sealed partial class TickerConsumer : JsonWebSocketConsumer
{
    private int _notes;

    public int NotesHandled => Volatile.Read(ref _notes);

    public ValueTask Handle(Tick tick, CancellationToken cancellationToken) => SendAsync(tick, cancellationToken);

    [FromLayer]
    public ValueTask Handle(TickerNote note, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _notes);
        return SendAsync(note, cancellationToken);
    }
}

/// <summary>
/// Real WebSocket connections (the generated forwarding consumer, the connection's send queue, a WebSocket client) on
/// the Redis layers: a burst of group messages from another process reaches every client in order, none of it waking a
/// consumer, and a message of a handled type still runs its handler.
/// </summary>
public abstract class WebSocketForwardingTests(RedisServers redis) : IAsyncDisposable
{
    private static readonly TimeSpan Receive = TimeSpan.FromSeconds(10);
    private readonly string _prefix = $"wf{Guid.NewGuid():N}";
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly TestMeterFactory _meters = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _meters.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_burst_of_group_messages_from_another_process_reaches_every_client_in_order_without_waking_a_consumer()
    {
        var server = await NewLayerAsync();
        var sender = await NewLayerAsync();
        var consumers = new[] { new TickerConsumer(), new TickerConsumer(), new TickerConsumer() };
        var clients = new List<WebSocketCommunicator>();
        foreach (var consumer in consumers)
        {
            var client = new WebSocketCommunicator(consumer, server, "/ticker/");
            _owned.Add(client);
            Assert.True((await client.ConnectAsync()).IsAccepted);
            clients.Add(client);
        }

        long handled = 0;
        using (var listener = HandledCounter(() => Interlocked.Increment(ref handled)))
        {
            const int Count = 2_000;
            for (var i = 0; i < Count; i++)
            {
                await sender.GroupSendAsync("ticker", ChannelMessage.Create(new Tick(i)), Ct);
            }

            foreach (var client in clients)
            {
                for (var i = 0; i < Count; i++)
                {
                    Assert.Equal(new Tick(i), await client.ReceiveJsonAsync<Tick>(Receive));
                }
            }

            Assert.Equal(0, Interlocked.Read(ref handled));
        }

        // A type with handler work is not forwarded: it wakes the consumer, as before.
        await sender.GroupSendAsync("ticker", ChannelMessage.Create(new TickerNote("hello")), Ct);
        foreach (var client in clients)
        {
            Assert.Equal(new TickerNote("hello"), await client.ReceiveJsonAsync<TickerNote>(Receive));
        }

        Assert.All(consumers, c => Assert.Equal(1, c.NotesHandled));
    }

    protected abstract Task<ChannelLayer> ConnectAsync(IReadOnlyList<RedisServer> servers, string prefix, IMeterFactory meterFactory);

    private static MeterListener HandledCounter(Action handled)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SwitchyardDiagnostics.MeterName && instrument.Name == "switchyard.consumer.messages.handled")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => handled());
        listener.Start();
        return listener;
    }

    private async Task<ChannelLayer> NewLayerAsync()
    {
        var layer = await ConnectAsync(redis.Servers, _prefix, _meters);
        _owned.Add(layer);
        return layer;
    }
}

/// <summary>
/// The tests that count handled messages on the process-wide consumer meter: they run alone, so no other test's consumer
/// is counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsumerMeterCollection
{
    public const string Name = "Process-wide consumer meter";
}

/// <summary>WebSocket clients on the Redis layer (process inboxes).</summary>
[Collection(ConsumerMeterCollection.Name)]
public sealed class RedisWebSocketForwardingTests(OneRedisServer redis) : WebSocketForwardingTests(redis), IClassFixture<OneRedisServer>
{
    protected override async Task<ChannelLayer> ConnectAsync(IReadOnlyList<RedisServer> servers, string prefix, IMeterFactory meterFactory) =>
        await RedisLayers.CreateAsync(servers, prefix, new ChannelLayerOptions(), TimeProvider.System, meterFactory);
}

/// <summary>WebSocket clients on the pub/sub layer.</summary>
[Collection(ConsumerMeterCollection.Name)]
public sealed class PubSubWebSocketForwardingTests(OneRedisServer redis) : WebSocketForwardingTests(redis), IClassFixture<OneRedisServer>
{
    protected override async Task<ChannelLayer> ConnectAsync(IReadOnlyList<RedisServer> servers, string prefix, IMeterFactory meterFactory) =>
        await PubSubLayers.CreateAsync(servers, prefix, meterFactory: meterFactory);
}
