using System.Diagnostics.Metrics;
using System.Text;
using Switchyard.ChannelLayers.Specification;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Layer;

/// <summary>
/// A message no configured encryption key opens is taken off its channel, dropped, logged and counted in
/// <c>switchyard.layer.messages.unreadable</c> with the channel as a tag; the receive goes on waiting for the next one.
/// </summary>
public sealed class UnreadableMessageTests(OneRedisServer redis) : IClassFixture<OneRedisServer>, IAsyncDisposable
{
    private const string Instrument = "switchyard.layer.messages.unreadable";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _prefix = $"ur{Guid.NewGuid():N}";
    private readonly List<ChannelLayer> _layers = [];
    private readonly TestMeterFactory _meters = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var layer in _layers)
        {
            await layer.DisposeAsync();
        }

        _meters.Dispose();
    }

    [Fact]
    public async Task A_message_sealed_with_a_key_the_receiver_lacks_is_counted_with_its_channel_and_the_receive_keeps_waiting()
    {
        var stranger = await NewLayerAsync("old-key");
        var receiver = await NewLayerAsync("new-key");
        var channel = $"jobs-{Guid.NewGuid():N}";
        using var unreadable = new UnreadableListener(_meters);

        var receive = receiver.ReceiveAsync(channel, Ct).AsTask();
        await stranger.SendAsync(channel, Text("sealed with old-key"), Ct);

        Assert.Equal(channel, await unreadable.Next.WaitAsync(Timeout, Ct));
        Assert.False(receive.IsCompleted);
        await receiver.SendAsync(channel, Text("readable"), Ct);
        Assert.Equal("readable", Encoding.UTF8.GetString((await receive.WaitAsync(Timeout, Ct)).Payload.Span));
    }

    [Fact]
    public async Task On_a_process_local_channel_the_count_carries_the_channels_process_part()
    {
        var stranger = await NewLayerAsync("old-key");
        var receiver = await NewLayerAsync("new-key");
        var channel = await receiver.NewChannelAsync(cancellationToken: Ct);
        using var unreadable = new UnreadableListener(_meters);

        var receive = receiver.ReceiveAsync(channel, Ct).AsTask();
        await stranger.SendAsync(channel, Text("sealed with old-key"), Ct);

        Assert.Equal(ChannelNames.NonLocalPart(channel), await unreadable.Next.WaitAsync(Timeout, Ct));
        Assert.False(receive.IsCompleted);
        await receiver.SendAsync(channel, Text("readable"), Ct);
        Assert.Equal("readable", Encoding.UTF8.GetString((await receive.WaitAsync(Timeout, Ct)).Payload.Span));
    }

    private async Task<ChannelLayer> NewLayerAsync(string key)
    {
        var options = new RedisChannelLayerOptions { Prefix = _prefix };
        options.Servers.Add(redis.Servers[0].ConnectionString);
        options.EncryptionKeys.Add(key);
        var layer = await RedisChannelLayer.ConnectAsync(options, meterFactory: _meters, cancellationToken: Ct);
        _layers.Add(layer);
        return layer;
    }

    private static ChannelMessage Text(string text) => new("test.text", Encoding.UTF8.GetBytes(text));

    /// <summary>Completes <see cref="Next"/> with the channel tag of the first unreadable message counted.</summary>
    private sealed class UnreadableListener : IDisposable
    {
        private readonly TaskCompletionSource<string> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MeterListener _listener;

        public UnreadableListener(TestMeterFactory meters)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (meters.Owns(instrument.Meter) && instrument.Name == Instrument)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "switchyard.channel")
                    {
                        _next.TrySetResult((string)tag.Value!);
                    }
                }
            });
            _listener.Start();
        }

        public Task<string> Next => _next.Task;

        public void Dispose() => _listener.Dispose();
    }
}
