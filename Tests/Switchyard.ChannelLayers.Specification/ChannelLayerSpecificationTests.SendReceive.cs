using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Send and receive: FIFO, independence of channels, process-local channels, payloads and headers.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    [Fact]
    public async Task Send_then_receive_returns_the_message_with_its_type_and_payload()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("chan");

        await layer.SendAsync(channel, new ChannelMessage("chat.message", "hello"u8.ToArray()));
        var received = await ReceiveWithinAsync(layer, channel);

        Assert.Equal("chat.message", received.Type);
        Assert.Equal("hello", Text(received));
    }

    [Fact]
    public async Task Messages_on_one_channel_are_received_in_send_order()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("fifo");

        for (var i = 0; i < 50; i++)
        {
            await layer.SendAsync(channel, Message($"m{i}"));
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"m{i}", await ReceiveTextAsync(layer, channel));
        }

        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task A_waiting_receive_completes_when_a_message_is_sent()
    {
        var layer = await NewLayerAsync();
        var channel = Name("wait");
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var receive = layer.ReceiveAsync(channel, timeout.Token).AsTask();
        Assert.False(receive.IsCompleted, "A receive on an empty channel must wait.");

        await layer.SendAsync(channel, Message("late"));

        Assert.Equal("late", Text(await receive.WaitAsync(WaitTimeout)));
    }

    [Fact]
    public async Task Channels_are_independent()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { Capacity = 3 });
        RequireCapability(layer, ChannelLayerCapabilities.Capacity);
        var a = Name("a");
        var b = Name("b");

        await layer.SendAsync(a, Message("a1"));
        await layer.SendAsync(b, Message("b1"));
        await layer.SendAsync(a, Message("a2"));
        await layer.SendAsync(a, Message("a3"));

        // a is full; b is not affected by a's capacity.
        await Assert.ThrowsAsync<ChannelFullException>(async () => await layer.SendAsync(a, Message("a4")));
        await layer.SendAsync(b, Message("b2"));

        Assert.Equal("b1", await ReceiveTextAsync(layer, b));
        Assert.Equal("b2", await ReceiveTextAsync(layer, b));
        Assert.Equal("a1", await ReceiveTextAsync(layer, a));
        Assert.Equal("a2", await ReceiveTextAsync(layer, a));
        Assert.Equal("a3", await ReceiveTextAsync(layer, a));
        await AssertNothingArrivesAsync(layer, a, b);
    }

    [Fact]
    public async Task Process_local_channels_send_and_receive()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = await LocalNameAsync(layer, "specific", "abc123");

        await layer.SendAsync(channel, Message("local"));

        Assert.Equal("local", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task Process_local_channels_of_one_process_part_are_independent()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var first = await LocalNameAsync(layer, "specific", "first");
        var second = await LocalNameAsync(layer, "specific", "second");
        var plain = Name("specific");

        await layer.SendAsync(first, Message("to-first"));
        await layer.SendAsync(second, Message("to-second"));

        Assert.Equal("to-second", await ReceiveTextAsync(layer, second));
        Assert.Equal("to-first", await ReceiveTextAsync(layer, first));
        await AssertNothingArrivesAsync(layer, first, second, plain);
    }

    [Fact]
    public async Task Headers_round_trip()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("headers");
        var headers = MessageHeaders.Empty.With("x-first", "1").With("x-second", "two words").With("x-empty", string.Empty);

        await layer.SendAsync(channel, Message("with headers", headers));
        var received = await ReceiveWithinAsync(layer, channel);

        // The layer may add trace context; the sender's headers must all be there, unchanged.
        foreach (var (key, value) in headers)
        {
            Assert.True(received.Headers.TryGetValue(key, out var actual), $"Header '{key}' was lost.");
            Assert.Equal(value, actual);
        }

        Assert.Equal("with headers", Text(received));
    }

    [Fact]
    public async Task A_one_mebibyte_payload_round_trips_byte_exact()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("large");
        var payload = new byte[1024 * 1024];
        new Random(20260101).NextBytes(payload);

        await layer.SendAsync(channel, new ChannelMessage(TestMessageType, payload));
        var received = await ReceiveWithinAsync(layer, channel);

        Assert.Equal(payload.Length, received.Payload.Length);
        Assert.True(received.Payload.Span.SequenceEqual(payload), "The payload bytes changed on the way.");
    }

    [Fact]
    public async Task An_empty_payload_is_accepted_and_delivered()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("empty");

        await layer.SendAsync(channel, new ChannelMessage(TestMessageType, ReadOnlyMemory<byte>.Empty));
        var received = await ReceiveWithinAsync(layer, channel);

        Assert.Equal(TestMessageType, received.Type);
        Assert.Equal(0, received.Payload.Length);
    }

    [Fact]
    public async Task A_payload_larger_than_the_limit_is_refused_and_not_delivered()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { MaxMessageSize = 1024 });
        var channel = Name("toolarge");

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(async () => await layer.SendAsync(channel, MessageOfSize(1025)));

        Assert.Equal(1025, error.Size);
        Assert.Equal(1024, error.MaxSize);
        Assert.Contains(channel, error.Message, StringComparison.Ordinal);
        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task A_payload_exactly_at_the_limit_is_accepted()
    {
        var layer = await NewLayerAsync(new ChannelLayerOptions { MaxMessageSize = 1024 });
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("atlimit");

        await layer.SendAsync(channel, MessageOfSize(1024));

        Assert.Equal(1024, (await ReceiveWithinAsync(layer, channel)).Payload.Length);
    }

    [Fact]
    public async Task One_message_instance_can_be_sent_to_several_channels()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var message = Message("shared");
        var a = Name("a");
        var b = Name("b");

        await layer.SendAsync(a, message);
        await layer.SendAsync(b, message);
        await layer.SendAsync(a, message);

        Assert.Equal("shared", await ReceiveTextAsync(layer, a));
        Assert.Equal("shared", await ReceiveTextAsync(layer, a));
        Assert.Equal("shared", await ReceiveTextAsync(layer, b));
        await AssertNothingArrivesAsync(layer, b);
    }
}
