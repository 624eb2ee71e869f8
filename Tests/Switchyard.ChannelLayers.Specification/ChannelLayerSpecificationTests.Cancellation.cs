using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Cancellation: a cancelled receive never takes a message off its channel.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    [Fact]
    public async Task A_receive_cancelled_before_a_send_does_not_swallow_the_message()
    {
        var layer = await NewLayerAsync();
        var channel = Name("cancel");
        using var cancel = new CancellationTokenSource();

        var receive = layer.ReceiveAsync(channel, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.WaitAsync(WaitTimeout));

        await layer.SendAsync(channel, Message("kept"));

        Assert.Equal("kept", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task A_receive_with_an_already_cancelled_token_throws_on_an_empty_channel()
    {
        var layer = await NewLayerAsync();
        var channel = Name("precancelled");

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await layer.ReceiveAsync(channel, new CancellationToken(canceled: true)).AsTask().WaitAsync(WaitTimeout));

        Assert.True(error.CancellationToken.IsCancellationRequested);
        await layer.SendAsync(channel, Message("after"));
        Assert.Equal("after", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task A_receive_with_an_already_cancelled_token_throws_and_leaves_a_queued_message()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("precancelled");
        await layer.SendAsync(channel, Message("stays"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await layer.ReceiveAsync(channel, new CancellationToken(canceled: true)).AsTask().WaitAsync(WaitTimeout));

        Assert.Equal("stays", await ReceiveTextAsync(layer, channel));
    }

    [Fact]
    public async Task A_cancelled_waiting_receive_is_skipped_and_the_next_waiting_receive_gets_the_message()
    {
        var layer = await NewLayerAsync();
        var channel = Name("skip");
        using var cancelFirst = new CancellationTokenSource();
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var first = layer.ReceiveAsync(channel, cancelFirst.Token).AsTask();
        var second = layer.ReceiveAsync(channel, timeout.Token).AsTask();
        await cancelFirst.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(WaitTimeout));

        await layer.SendAsync(channel, Message("for the second"));

        Assert.Equal("for the second", Text(await second.WaitAsync(WaitTimeout)));
        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task Cancelling_one_waiting_receive_leaves_others_on_other_channels_waiting()
    {
        var layer = await NewLayerAsync();
        var a = Name("a");
        var b = Name("b");
        using var cancelA = new CancellationTokenSource();
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var onA = layer.ReceiveAsync(a, cancelA.Token).AsTask();
        var onB = layer.ReceiveAsync(b, timeout.Token).AsTask();
        await cancelA.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => onA.WaitAsync(WaitTimeout));
        Assert.False(onB.IsCompleted);

        await layer.SendAsync(b, Message("b"));
        Assert.Equal("b", Text(await onB.WaitAsync(WaitTimeout)));
    }

    [Fact]
    public async Task Racing_cancellation_with_sends_never_loses_or_duplicates_a_message()
    {
        const int Iterations = 1_000;
        var layer = await NewLayerAsync();
        var channel = Name("race");

        for (var i = 0; i < Iterations; i++)
        {
            using var cancel = new CancellationTokenSource();
            var receive = layer.ReceiveAsync(channel, cancel.Token).AsTask();
            var send = Task.Run(async () => await layer.SendAsync(channel, Message($"m{i}")));
            var cancelling = Task.Run(cancel.Cancel);
            await Task.WhenAll(send, cancelling).WaitAsync(WaitTimeout);

            ChannelMessage received;
            try
            {
                received = await receive.WaitAsync(WaitTimeout);
            }
            catch (OperationCanceledException)
            {
                // The cancelled receive did not take the message, so it must still be on the channel.
                received = await ReceiveWithinAsync(layer, channel);
            }

            Assert.Equal($"m{i}", Text(received));
        }

        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task Cancelling_many_waiting_receives_leaves_the_channel_usable()
    {
        var layer = await NewLayerAsync();
        var channel = Name("many");
        using var cancel = new CancellationTokenSource();

        var receives = Enumerable.Range(0, 100).Select(_ => layer.ReceiveAsync(channel, cancel.Token).AsTask()).ToArray();
        await cancel.CancelAsync();
        foreach (var receive in receives)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.WaitAsync(WaitTimeout));
        }

        for (var i = 0; i < 3; i++)
        {
            await layer.SendAsync(channel, Message($"m{i}"));
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"m{i}", await ReceiveTextAsync(layer, channel));
        }
    }
}
