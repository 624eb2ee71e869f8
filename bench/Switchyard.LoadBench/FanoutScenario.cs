using System.Diagnostics;
using System.Net.WebSockets;

namespace Switchyard.LoadBench;

/// <summary>The scenarios <see cref="FanoutScenario"/> runs.</summary>
internal enum FanoutMode
{
    Fanout,
    Paced,
    Relay,
}

/// <summary>
/// <c>fanout</c>, <c>paced</c> and <c>relay</c>: N receivers and one publisher.
/// <list type="bullet">
/// <item><c>fanout</c>: N subscribers; a separate publisher connection sends a burst of M messages as fast as it can
/// (after one warm-up burst that is not counted); deliveries/s is the deliveries over the time from the first send to
/// the last delivery.</item>
/// <item><c>paced</c>: the publisher sends R messages/s for S seconds (after a warm-up second); the latency is the
/// figure of interest.</item>
/// <item><c>relay</c>: N members of one group (the group route of <c>--shape</c>); the first member is the publisher
/// and bursts as in <c>fanout</c>; the server sends every frame to every member, the publisher included, so each of
/// the N members counts the burst.</item>
/// </list>
/// Every receiver counts what it received of the round (by sequence number, so warm-up leftovers are ignored):
/// lost = expected - distinct received, duplicates, reordered = arrived after a higher sequence number. A round ends
/// when every expected delivery arrived, or when for <c>--quiet</c> seconds nothing arrived and the publisher sent
/// nothing (all sent, or its send blocked: then it is aborted), or after 300 s; what is missing is counted as lost.
/// </summary>
internal static class FanoutScenario
{
    public const string FanoutHeader = """
        | server | subscribers | burst | deliveries | lost | duplicates | reordered | closed by server | deliveries/s | server CPU µs/delivery | server CPU % | client CPU % | latency p50 (ms) | latency p99 (ms) |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """;

    public const string PacedHeader = """
        | server | subscribers | rate (msg/s) | messages | deliveries | lost | duplicates | reordered | latency p50 (ms) | latency p99 (ms) | latency max (ms) | server CPU % | server CPU µs/delivery |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """;

    public const string RelayHeader = """
        | server | members | burst | deliveries | lost | duplicates | reordered | closed by server | deliveries/s | server CPU µs/delivery | server CPU % | Redis CPU µs/delivery | client CPU % | latency p50 (ms) | latency p99 (ms) |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """;

    /// <summary>Sequence numbers of the measured round start here; the warm-up round's are below.</summary>
    private const long MeasuredBase = 1_000_000_000;

    public static async Task<string> RunAsync(BenchOptions options, ServerProbe probe, FanoutMode mode, CancellationToken ct)
    {
        var paced = mode == FanoutMode.Paced;
        var relay = mode == FanoutMode.Relay;
        using var invoker = Harness.CreateInvoker();
        var receiverConnections = await Harness.ConnectManyAsync(
            options, relay ? Role.Member : Role.Subscriber, options.Subscribers, invoker, false, ct);
        var receivers = receiverConnections.Select(_ => new Subscriber()).ToArray();
        var loops = new List<Task>(receivers.Length + 1);
        for (var i = 0; i < receivers.Length; i++)
        {
            loops.Add(Harness.ReceiveLoopAsync(receiverConnections[i]!, receivers[i], ct));
        }

        // The relay's publisher is its first member; fanout and paced have a publisher of their own.
        BenchConnection publisher;
        var connections = new List<BenchConnection?>(receiverConnections);
        if (relay)
        {
            publisher = receiverConnections[0]!;
        }
        else
        {
            publisher = (await Harness.ConnectManyAsync(options, Role.Publisher, 1, invoker, false, ct))[0]!;
            loops.Add(Harness.ReceiveLoopAsync(publisher, NoSink.Instance, ct));
            connections.Add(publisher);
        }

        // Every receiver (and the publisher) open on the server before anything is published.
        var expectedConnections = connections.Count;
        var open = await probe.WaitForConnectionsAsync(n => n >= expectedConnections, TimeSpan.FromSeconds(30), ct);
        if (open < expectedConnections)
        {
            Harness.Log($"the server reports {open} connections, expected {expectedConnections}; continuing");
        }

        var sender = new Sender(publisher, options, relay && options.Shape == RelayShape.Raw);

        // Warm-up round, not counted.
        var warmupCount = paced ? Math.Max(1, (int)(options.Rate * options.Warmup)) : options.Messages;
        var warmup = new Round(0, warmupCount, receivers);
        var warmupDone = await RunRoundAsync(sender, warmup, paced, options, ct);
        var warmupReceived = warmup.Tallies.Sum(t => (long)t.Received);
        if (warmupReceived < (long)warmup.Count * receivers.Length)
        {
            Harness.Log($"{options.Label}: the warm-up burst ended with {warmupReceived} of {(long)warmup.Count * receivers.Length} deliveries");
        }

        if (!warmupDone)
        {
            await Harness.CloseAllAsync(options, connections, loops);
            throw new InvalidOperationException(
                $"the warm-up burst did not go through: the publisher's send blocked after {warmup.Sent} of {warmup.Count} messages");
        }

        // Measured round.
        var count = paced ? Math.Max(1, (int)(options.Rate * options.Seconds)) : options.Messages;
        var round = new Round(MeasuredBase, count, receivers);
        using var layerProbe = options.LayerPid is { } layerPid ? new ServerProbe(layerPid, options.StatsUri) : null;
        var before = Snapshot.Take(probe);
        var layerBefore = layerProbe?.CpuTime();
        var publisherAborted = !await RunRoundAsync(sender, round, paced, options, ct);
        var after = Snapshot.Take(probe);
        var layerAfter = layerProbe?.CpuTime();

        foreach (var receiver in receivers)
        {
            receiver.Tally = null;
        }

        // A receive loop that ended before the client closes anything ended because the server closed the connection
        // (or it failed): a server that drops a slow client (close 1008) shows up here, and its deliveries as lost.
        var closedByServer = new List<string>();
        for (var i = 0; i < receivers.Length; i++)
        {
            if (loops[i].IsCompleted && !(publisherAborted && receiverConnections[i] == publisher))
            {
                closedByServer.Add(receiverConnections[i]!.CloseReason ?? "no close frame");
            }
        }

        if (closedByServer.Count > 0)
        {
            Harness.Log($"{options.Label}: the server closed {closedByServer.Count} of {receivers.Length} receivers: " +
                        string.Join(", ", closedByServer.GroupBy(r => r).Select(g => $"{g.Count()} × {g.Key}")));
        }

        await Harness.CloseAllAsync(options, connections, loops);

        var expected = (long)count * receivers.Length;
        var deliveries = round.Tallies.Sum(t => (long)t.Received);
        var duplicates = round.Tallies.Sum(t => (long)t.Duplicates);
        var reordered = round.Tallies.Sum(t => (long)t.Reordered);
        var lastDelivery = round.Tallies.Max(t => t.LastTimestamp);
        var serverCpu = Harness.Delta(before.ServerCpu, after.ServerCpu);
        var wall = Harness.Seconds(before.Timestamp, after.Timestamp);
        var lost = expected - deliveries;
        var histogram = round.Histogram;
        if (lost > 0)
        {
            var shortReceivers = round.Tallies.Count(t => t.Received < count);
            Harness.Log($"{options.Label}: {lost} of {expected} deliveries missing ({shortReceivers} of {receivers.Length} receivers short; " +
                        $"{round.Sent} of {count} messages sent)");
        }

        if (paced)
        {
            return $"| {options.Label} | {receivers.Length} | {Harness.N0(options.Rate)} | {count} | {deliveries} | {lost} | " +
                   $"{duplicates} | {reordered} | {Harness.Ms(histogram.Percentile(50))} | " +
                   $"{Harness.Ms(histogram.Percentile(99))} | {Harness.Ms(histogram.Max)} | " +
                   $"{Harness.Percent(serverCpu, wall)} | {Harness.MicrosPer(serverCpu, deliveries)} |";
        }

        var span = lastDelivery > round.FirstSend ? Harness.Seconds(round.FirstSend, lastDelivery) : 0;
        var rate = span > 0 ? deliveries / span : 0;
        var layerColumn = relay
            ? $" {(layerProbe is null ? "–" : Harness.MicrosPer(Harness.Delta(layerBefore, layerAfter), deliveries))} |"
            : "";
        return $"| {options.Label} | {receivers.Length} | {count} | {deliveries} | {lost} | {duplicates} | {reordered} | {closedByServer.Count} | " +
               $"{Harness.N0(rate)} | {Harness.MicrosPer(serverCpu, deliveries)} | {Harness.Percent(serverCpu, wall)} |" +
               $"{layerColumn} {Harness.Percent(after.ClientCpu - before.ClientCpu, wall)} | " +
               $"{Harness.Ms(histogram.Percentile(50))} | {Harness.Ms(histogram.Percentile(99))} |";
    }

    /// <summary>
    /// Sends a round and waits for its deliveries (both bounded, see the class summary).
    /// False when the publisher's send blocked and the publisher was aborted.
    /// </summary>
    private static async Task<bool> RunRoundAsync(Sender sender, Round round, bool paced, BenchOptions options, CancellationToken ct)
    {
        var sending = sender.SendAsync(round, paced, ct);
        var stalled = await round.WaitAsync(options, ct);
        if (stalled)
        {
            Harness.Log($"{options.Label}: the publisher's send has been blocked for {options.QuietSeconds} s with nothing " +
                        $"arriving ({round.Sent} of {round.Count} sent); aborting the publisher");
            sender.Publisher.Abort();
        }

        await sending;
        return !stalled;
    }

    /// <summary>The publisher: a burst as fast as the connection takes it, or a fixed rate on absolute deadlines.</summary>
    private sealed class Sender(BenchConnection publisher, BenchOptions options, bool rawText)
    {
        private readonly byte[] message = new byte[Payload.MaxSize];

        public BenchConnection Publisher => publisher;

        /// <summary>Sends the round's messages (until done, or the connection fails or is aborted).</summary>
        public async Task SendAsync(Round round, bool paced, CancellationToken ct)
        {
            using var abort = publisher.AbortOn(ct);
            var interval = (long)(Stopwatch.Frequency / options.Rate);
            var start = Stopwatch.GetTimestamp();
            round.FirstSend = start;
            try
            {
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

                    var now = Stopwatch.GetTimestamp();
                    var length = rawText
                        ? Payload.WriteText(message, round.Base + i, now, options.Size)
                        : Payload.Write(message, Payload.TickType, round.Base + i, now, options.Size);
                    round.SendStarted(now);
                    await publisher.SendAsync(message.AsMemory(0, length), CancellationToken.None);
                    round.SendDone();
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                Harness.Log($"the publisher stopped: {e.Message}");
            }
            finally
            {
                round.SendingDone();
            }
        }
    }

    /// <summary>One published round: its sequence numbers, every receiver's tally, one latency histogram.</summary>
    private sealed class Round
    {
        private volatile bool sendingDone;
        private int sent;
        private long sendStartedAt;

        private readonly Subscriber[] subscribers;

        public Round(long @base, int count, Subscriber[] subscribers)
        {
            this.subscribers = subscribers;
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

        /// <summary>The timestamp of the first send.</summary>
        public long FirstSend { get; set; }

        /// <summary>How many messages the publisher has sent.</summary>
        public int Sent => Volatile.Read(ref sent);

        public void SendStarted(long timestamp) => Volatile.Write(ref sendStartedAt, timestamp);

        public void SendDone()
        {
            Volatile.Write(ref sendStartedAt, 0);
            Volatile.Write(ref sent, sent + 1);
        }

        public void SendingDone()
        {
            Volatile.Write(ref sendStartedAt, 0);
            sendingDone = true;
        }

        /// <summary>
        /// Waits until every receiver has every message; or nothing arrived for <c>--quiet</c> seconds and the
        /// publisher is done or has been stuck in one send for that long; or five minutes passed. Messages of an
        /// earlier round still arriving count as progress (a round does not end while the server is still busy).
        /// </summary>
        /// <returns>True when it stopped because the publisher's send was stuck.</returns>
        public async Task<bool> WaitAsync(BenchOptions options, CancellationToken ct)
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

                long arrived = 0;
                foreach (var subscriber in subscribers)
                {
                    arrived += Volatile.Read(ref subscriber.Arrived);
                }

                var now = Stopwatch.GetTimestamp();
                if (received >= expected)
                {
                    return false;
                }

                if (arrived != last)
                {
                    last = arrived;
                    lastProgress = now;
                }
                else if (now - lastProgress > quiet)
                {
                    if (sendingDone)
                    {
                        return false;
                    }

                    var inSend = Volatile.Read(ref sendStartedAt);
                    if (inSend != 0 && now - inSend > quiet)
                    {
                        return true;
                    }
                }

                if (now > cap)
                {
                    Harness.Log("gave up waiting for deliveries after 300 s");
                    return !sendingDone;
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

        /// <summary>Every message this receiver got, of any round: what a round waits on counts as progress.</summary>
        public long Arrived;

        public void OnMessage(ReadOnlySpan<byte> message, long receivedTimestamp)
        {
            Volatile.Write(ref Arrived, Arrived + 1);
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
