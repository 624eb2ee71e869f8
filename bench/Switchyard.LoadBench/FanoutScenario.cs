using System.Diagnostics;

namespace Switchyard.LoadBench;

/// <summary>
/// <c>fanout</c> and <c>paced</c>: N subscribers and one publisher.
/// <list type="bullet">
/// <item><c>fanout</c>: the publisher sends a burst of M messages as fast as it can (after one warm-up burst that is
/// not counted); deliveries/s is the deliveries over the time from the first send to the last delivery.</item>
/// <item><c>paced</c>: the publisher sends R messages/s for S seconds (after a warm-up second); the latency is the
/// figure of interest.</item>
/// </list>
/// Every subscriber counts what it received of the round (by sequence number, so warm-up leftovers are ignored):
/// lost = expected - distinct received, duplicates, reordered = arrived after a higher sequence number.
/// </summary>
internal static class FanoutScenario
{
    public const string FanoutHeader = """
        | server | subscribers | burst | deliveries | lost | duplicates | reordered | deliveries/s | server CPU µs/delivery | server CPU % | client CPU % | latency p50 (ms) | latency p99 (ms) |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """;

    public const string PacedHeader = """
        | server | subscribers | rate (msg/s) | messages | deliveries | lost | duplicates | reordered | latency p50 (ms) | latency p99 (ms) | latency max (ms) | server CPU % | server CPU µs/delivery |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """;

    /// <summary>Sequence numbers of the measured round start here; the warm-up round's are below.</summary>
    private const long MeasuredBase = 1_000_000_000;

    public static async Task<string> RunAsync(BenchOptions options, ServerProbe probe, bool paced, CancellationToken ct)
    {
        using var invoker = Harness.CreateInvoker();
        var subscriberConnections =
            await Harness.ConnectManyAsync(options, Role.Subscriber, options.Subscribers, invoker, false, ct);
        var subscribers = subscriberConnections.Select(_ => new Subscriber()).ToArray();
        var loops = new List<Task>(subscribers.Length + 1);
        for (var i = 0; i < subscribers.Length; i++)
        {
            loops.Add(Harness.ReceiveLoopAsync(subscriberConnections[i]!, subscribers[i], ct));
        }

        var publisher = (await Harness.ConnectManyAsync(options, Role.Publisher, 1, invoker, false, ct))[0]!;
        loops.Add(Harness.ReceiveLoopAsync(publisher, NoSink.Instance, ct));

        // Every subscriber (and the publisher) open on the server before anything is published.
        var expectedConnections = options.Subscribers + 1;
        var open = await probe.WaitForConnectionsAsync(n => n >= expectedConnections, TimeSpan.FromSeconds(30), ct);
        if (open < expectedConnections)
        {
            Harness.Log($"the server reports {open} connections, expected {expectedConnections}; continuing");
        }

        var sender = new Sender(publisher, options);

        // Warm-up round, not counted.
        var warmupCount = paced ? Math.Max(1, (int)(options.Rate * options.Warmup)) : options.Messages;
        var warmup = new Round(0, warmupCount, subscribers);
        await sender.SendAsync(warmup, paced, ct);
        await warmup.WaitAsync(options, ct);

        // Measured round.
        var count = paced ? Math.Max(1, (int)(options.Rate * options.Seconds)) : options.Messages;
        var round = new Round(MeasuredBase, count, subscribers);
        var before = Snapshot.Take(probe);
        var firstSend = await sender.SendAsync(round, paced, ct);
        await round.WaitAsync(options, ct);
        var after = Snapshot.Take(probe);

        foreach (var subscriber in subscribers)
        {
            subscriber.Tally = null;
        }

        await Harness.CloseAllAsync(options, [.. subscriberConnections, publisher], loops);

        var expected = (long)count * subscribers.Length;
        var deliveries = round.Tallies.Sum(t => (long)t.Received);
        var duplicates = round.Tallies.Sum(t => (long)t.Duplicates);
        var reordered = round.Tallies.Sum(t => (long)t.Reordered);
        var lastDelivery = round.Tallies.Max(t => t.LastTimestamp);
        var serverCpu = Harness.Delta(before.ServerCpu, after.ServerCpu);
        var wall = Harness.Seconds(before.Timestamp, after.Timestamp);
        var lost = expected - deliveries;
        var histogram = round.Histogram;

        if (paced)
        {
            return $"| {options.Label} | {subscribers.Length} | {Harness.N0(options.Rate)} | {count} | {deliveries} | {lost} | " +
                   $"{duplicates} | {reordered} | {Harness.Ms(histogram.Percentile(50))} | " +
                   $"{Harness.Ms(histogram.Percentile(99))} | {Harness.Ms(histogram.Max)} | " +
                   $"{Harness.Percent(serverCpu, wall)} | {Harness.MicrosPer(serverCpu, deliveries)} |";
        }

        var span = lastDelivery > firstSend ? Harness.Seconds(firstSend, lastDelivery) : 0;
        var rate = span > 0 ? deliveries / span : 0;
        return $"| {options.Label} | {subscribers.Length} | {count} | {deliveries} | {lost} | {duplicates} | {reordered} | " +
               $"{Harness.N0(rate)} | {Harness.MicrosPer(serverCpu, deliveries)} | {Harness.Percent(serverCpu, wall)} | " +
               $"{Harness.Percent(after.ClientCpu - before.ClientCpu, wall)} | " +
               $"{Harness.Ms(histogram.Percentile(50))} | {Harness.Ms(histogram.Percentile(99))} |";
    }

    /// <summary>The publisher: a burst as fast as the connection takes it, or a fixed rate on absolute deadlines.</summary>
    private sealed class Sender(BenchConnection publisher, BenchOptions options)
    {
        private readonly byte[] message = new byte[Payload.MaxSize];

        /// <summary>Sends the round's messages; returns the timestamp of the first send.</summary>
        public async Task<long> SendAsync(Round round, bool paced, CancellationToken ct)
        {
            using var abort = publisher.AbortOn(ct);
            var interval = (long)(Stopwatch.Frequency / options.Rate);
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < round.Count; i++)
            {
                if (paced)
                {
                    var due = start + (i * interval);
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
                    }
                }

                var length = Payload.Write(message, Payload.TickType, round.Base + i, Stopwatch.GetTimestamp(), options.Size);
                await publisher.SendAsync(message.AsMemory(0, length), CancellationToken.None);
            }

            round.SendingDone();
            return start;
        }
    }

    /// <summary>One published round: its sequence numbers, every subscriber's tally, one latency histogram.</summary>
    private sealed class Round
    {
        private volatile bool sendingDone;

        public Round(long @base, int count, Subscriber[] subscribers)
        {
            Base = @base;
            Count = count;
            Tallies = new Tally[subscribers.Length];
            for (var i = 0; i < subscribers.Length; i++)
            {
                Tallies[i] = new Tally(this);
                subscribers[i].Tally = Tallies[i];
            }
        }

        public long Base { get; }

        public int Count { get; }

        public Tally[] Tallies { get; }

        public LatencyHistogram Histogram { get; } = new();

        public void SendingDone() => sendingDone = true;

        /// <summary>
        /// Waits until every subscriber has every message, or nothing arrived for <c>--quiet</c> seconds after the
        /// last send, or five minutes passed.
        /// </summary>
        public async Task WaitAsync(BenchOptions options, CancellationToken ct)
        {
            var expected = (long)Count * Tallies.Length;
            var quiet = (long)(options.QuietSeconds * Stopwatch.Frequency);
            var cap = Stopwatch.GetTimestamp() + (300 * Stopwatch.Frequency);
            long last = -1;
            var lastProgress = Stopwatch.GetTimestamp();
            while (true)
            {
                long received = 0;
                foreach (var tally in Tallies)
                {
                    received += Volatile.Read(ref tally.Received);
                }

                var now = Stopwatch.GetTimestamp();
                if (received >= expected)
                {
                    return;
                }

                if (received != last)
                {
                    last = received;
                    lastProgress = now;
                }
                else if (sendingDone && now - lastProgress > quiet)
                {
                    return;
                }

                if (now > cap)
                {
                    Harness.Log("gave up waiting for deliveries after 300 s");
                    return;
                }

                await Task.Delay(5, ct);
            }
        }
    }

    /// <summary>What one subscriber received of one round. Written only by that subscriber's receive loop.</summary>
    private sealed class Tally(Round round)
    {
        private readonly ulong[] seen = new ulong[(round.Count + 63) / 64];
        private long highest = -1;

        public int Received;
        public int Duplicates;
        public int Reordered;
        public long LastTimestamp;

        public void Add(long seq, long sent, long receivedTimestamp)
        {
            var index = seq - round.Base;
            if (index < 0 || index >= round.Count)
            {
                return; // a leftover of the warm-up round
            }

            ref var word = ref seen[index >> 6];
            var bit = 1UL << (int)(index & 63);
            if ((word & bit) != 0)
            {
                Duplicates++;
                return;
            }

            word |= bit;
            if (index < highest)
            {
                Reordered++;
            }
            else
            {
                highest = index;
            }

            LastTimestamp = receivedTimestamp;
            Volatile.Write(ref Received, Received + 1);
            round.Histogram.Record((long)Harness.NanosecondsBetween(sent, receivedTimestamp));
        }
    }

    private sealed class Subscriber : IMessageSink
    {
        public volatile Tally? Tally;

        public void OnMessage(ReadOnlySpan<byte> message, long receivedTimestamp)
        {
            if (Tally is { } tally && Payload.TryRead(message, out var seq, out var sent))
            {
                tally.Add(seq, sent, receivedTimestamp);
            }
        }
    }

    private sealed class NoSink : IMessageSink
    {
        public static readonly NoSink Instance = new();

        public void OnMessage(ReadOnlySpan<byte> message, long receivedTimestamp)
        {
        }
    }
}
