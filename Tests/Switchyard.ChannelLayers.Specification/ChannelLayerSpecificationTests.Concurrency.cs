using System.Buffers.Binary;
using System.Collections.Concurrent;
using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Concurrency: every message reaches exactly one receiver, in per-sender order.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    private static readonly TimeSpan StressTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Several_receivers_waiting_on_one_channel_each_get_a_different_message()
    {
        const int Receivers = 10;
        var layer = await NewLayerAsync();
        var channel = Name("shared");
        using var timeout = new CancellationTokenSource(WaitTimeout);

        var receives = Enumerable.Range(0, Receivers).Select(_ => layer.ReceiveAsync(channel, timeout.Token).AsTask()).ToArray();
        Assert.DoesNotContain(receives, r => r.IsCompleted);
        for (var i = 0; i < Receivers; i++)
        {
            await layer.SendAsync(channel, Message($"m{i}"));
        }

        var texts = (await Task.WhenAll(receives).WaitAsync(WaitTimeout)).Select(Text).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Enumerable.Range(0, Receivers).Select(i => $"m{i}").Order(StringComparer.Ordinal), texts);
        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task Many_senders_and_receivers_deliver_every_message_exactly_once_in_per_sender_order()
    {
        const int Senders = 8;
        const int PerSender = 500;
        const int Receivers = 8;
        const int Total = Senders * PerSender;
        var layer = await NewLayerAsync(new ChannelLayerOptions { Capacity = Total });
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var channel = Name("stress");
        using var done = new CancellationTokenSource();
        var logs = Enumerable.Range(0, Receivers).Select(_ => new List<(int Sender, int Sequence)>()).ToArray();
        var received = 0;

        var receivers = logs.Select(log => Task.Run(async () =>
        {
            while (true)
            {
                ChannelMessage message;
                try
                {
                    message = await layer.ReceiveAsync(channel, done.Token);
                }
                catch (OperationCanceledException) when (done.IsCancellationRequested)
                {
                    return;
                }

                log.Add(Decode(message));
                if (Interlocked.Increment(ref received) == Total)
                {
                    await done.CancelAsync();
                }
            }
        })).ToArray();
        var senders = Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            for (var sequence = 0; sequence < PerSender; sequence++)
            {
                await layer.SendAsync(channel, Encode(sender, sequence));
            }
        })).ToArray();

        await Task.WhenAll(senders.Concat(receivers)).WaitAsync(StressTimeout);

        Assert.Equal(Total, Volatile.Read(ref received));
        var all = logs.SelectMany(log => log).ToList();
        Assert.Equal(Total, all.Count);
        Assert.Equal(Total, all.Distinct().Count());
        foreach (var log in logs)
        {
            // A receiver takes messages one after another off a FIFO channel, so what it sees of each sender
            // is in that sender's order.
            foreach (var perSender in log.GroupBy(entry => entry.Sender))
            {
                var sequences = perSender.Select(entry => entry.Sequence).ToArray();
                Assert.True(sequences.SequenceEqual(sequences.Order()), $"Sender {perSender.Key}'s messages arrived out of order.");
            }
        }

        await AssertNothingArrivesAsync(layer, channel);
    }

    [Fact]
    public async Task Concurrent_sends_from_one_sender_per_channel_keep_order_on_every_channel()
    {
        const int Channels = 8;
        const int PerChannel = 200;
        var layer = await NewLayerAsync(new ChannelLayerOptions { Capacity = PerChannel });
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var names = Enumerable.Range(0, Channels).Select(i => Name($"c{i}")).ToArray();

        var senders = names.Select((name, index) => Task.Run(async () =>
        {
            for (var sequence = 0; sequence < PerChannel; sequence++)
            {
                await layer.SendAsync(name, Encode(index, sequence));
            }
        }));
        var receivers = names.Select((name, index) => Task.Run(async () =>
        {
            for (var sequence = 0; sequence < PerChannel; sequence++)
            {
                Assert.Equal((index, sequence), Decode(await ReceiveWithinAsync(layer, name)));
            }
        }));

        await Task.WhenAll(senders.Concat(receivers)).WaitAsync(StressTimeout);
    }

    [Fact]
    public async Task Concurrent_group_sends_reach_every_member_exactly_once_in_per_sender_order()
    {
        const int Senders = 4;
        const int PerSender = 100;
        const int Members = 5;
        var layer = await NewGroupLayerAsync(new ChannelLayerOptions { Capacity = Senders * PerSender });
        RequireCapability(layer, ChannelLayerCapabilities.GroupMemberCounts);
        var group = Name("room");
        var members = Enumerable.Range(0, Members).Select(i => Name($"m{i}")).ToArray();
        foreach (var member in members)
        {
            await layer.GroupAddAsync(group, member);
        }

        var results = new ConcurrentBag<GroupSendResult>();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            for (var sequence = 0; sequence < PerSender; sequence++)
            {
                results.Add(await layer.GroupSendAsync(group, Encode(sender, sequence)));
            }
        }))).WaitAsync(StressTimeout);

        Assert.All(results, result => Assert.Equal(new GroupSendResult(Members, 0), result));
        foreach (var member in members)
        {
            var next = new int[Senders];
            for (var i = 0; i < Senders * PerSender; i++)
            {
                var (sender, sequence) = Decode(await ReceiveWithinAsync(layer, member));
                Assert.Equal(next[sender]++, sequence);
            }
        }

        await AssertNothingArrivesAsync(layer, members);
    }

    private static ChannelMessage Encode(int sender, int sequence)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(payload, sender);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), sequence);
        return new ChannelMessage(TestMessageType, payload);
    }

    private static (int Sender, int Sequence) Decode(ChannelMessage message)
    {
        var span = message.Payload.Span;
        Assert.Equal(8, span.Length);
        return (BinaryPrimitives.ReadInt32LittleEndian(span), BinaryPrimitives.ReadInt32LittleEndian(span[4..]));
    }
}
