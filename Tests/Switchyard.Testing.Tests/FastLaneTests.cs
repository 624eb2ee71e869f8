using System.Diagnostics.Metrics;
using Xunit;

namespace Switchyard.Testing.Tests;

[Message("feed.item")]
public sealed partial record FeedItem(int Seq, string Text);

[Message("feed.note")]
public sealed partial record FeedNote(int Seq);

/// <summary>A feed: items are only forwarded (fast lane); notes go through a handler that counts them.</summary>
[WebSocketConsumer("/feed/")]
[JoinGroup("feed")]
public sealed partial class FeedConsumer : JsonWebSocketConsumer
{
    public int NotesHandled { get; private set; }

    public ValueTask Handle(FeedItem item, CancellationToken cancellationToken) => SendAsync(item, cancellationToken);

    [FromLayer]
    public ValueTask Handle(FeedNote note, CancellationToken cancellationToken)
    {
        NotesHandled++;
        return SendAsync(note, cancellationToken);
    }
}

/// <summary>The fast lane end to end: forwarded messages reach the client in order without waking the consumer.</summary>
public sealed class FastLaneTests
{
    [Fact]
    public async Task Forwarded_group_messages_reach_every_member_in_order_without_running_a_handler()
    {
        await using var layer = new InMemoryChannelLayer(new ChannelLayerOptions { Capacity = 1000 });
        var handled = new List<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SwitchyardDiagnostics.MeterName && instrument.Name == "switchyard.consumer.messages.handled")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => { lock (handled) { handled.Add(value); } });
        listener.Start();

        var consumers = new[] { new FeedConsumer(), new FeedConsumer() };
        var members = consumers.Select(c => new WebSocketCommunicator(c, layer, "/feed/")).ToArray();
        foreach (var member in members)
        {
            Assert.True((await member.ConnectAsync()).IsAccepted);
        }

        // One envelope per message, handed to both members: the JSON is encoded once and shared.
        var envelopes = Enumerable.Range(0, 50).Select(i => ChannelMessage.Create(new FeedItem(i, $"item {i}"))).ToArray();
        foreach (var envelope in envelopes)
        {
            Assert.Equal(2, (await layer.GroupSendAsync("feed", envelope, TestContext.Current.CancellationToken)).Delivered);
        }

        foreach (var member in members)
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(new FeedItem(i, $"item {i}"), await member.ReceiveJsonAsync<FeedItem>());
            }
        }

        Assert.Empty(handled);
        Assert.True(envelopes[0].GetJsonFrame<FeedItem>().Equals(envelopes[0].GetJsonFrame<FeedItem>()));

        // A type with real handler work still goes through the handler.
        await layer.GroupSendAsync("feed", ChannelMessage.Create(new FeedNote(7)), TestContext.Current.CancellationToken);
        foreach (var member in members)
        {
            Assert.Equal(new FeedNote(7), await member.ReceiveJsonAsync<FeedNote>());
        }

        Assert.All(consumers, c => Assert.Equal(1, c.NotesHandled));
        foreach (var member in members)
        {
            await member.DisposeAsync();
        }
    }
}
