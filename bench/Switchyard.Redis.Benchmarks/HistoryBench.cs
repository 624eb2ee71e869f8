// Group history, resume and member count on the Redis layer (issue 15), each figure next to its reference measured
// in the same run, on the same redis-server, with the shipped history defaults (MaxCount 1,000, MaxAge 5 minutes):
//   group send, history on against off   group sends/s to 100 process-local members of this process that nobody
//                                         receives on (as the "group send to 100 members" row of bench/redis/run.sh),
//                                         one sender, then 16 concurrent senders; a layer with no history rule (off)
//                                         and one with WithGroupHistory("feed.*") (on), alternated for [rounds] rounds
//   resume of 1,000 missed messages      1,000 64-byte group sends, then GroupHistoryAsync(group, position before
//                                         them), timed; repeated; reference: the same call with nothing missed;
//                                         then end to end (Resume/ResumeEndToEnd.cs): a WebSocket client connecting
//                                         with ?since= until it has the 1,000 frames
//   member count of 100,000              100,000 process-local members joined (64 joins in flight, timed), then
//                                         GroupMemberCountAsync timed; references: 100 members on Redis, 100,000 on
//                                         the in-memory layer
// Prints the rows of a Markdown table (| Work | figure | reference | ratio | target | met |), then a blank line and
// the details; bench/redis/history.sh puts the header around them. Fails (exit code not 0) on a wrong result.
// Usage: Switchyard.Redis.Benchmarks history <host:port> [seconds per send scenario] [rounds] [resume repetitions]
using System.Diagnostics;
using System.Globalization;
using Switchyard;
using Switchyard.Redis;
using Switchyard.Redis.Benchmarks.Resume;
using ConnectionMultiplexer = StackExchange.Redis.ConnectionMultiplexer;
using IServer = StackExchange.Redis.IServer;

internal static class HistoryBench
{
    private const string HistoryPattern = "feed.*";
    private const int GroupMembers = 100;
    private const int ConcurrentSenders = 16;
    private const int Missed = 1_000;
    private const int BigGroup = 100_000;
    private const int JoinsInFlight = 64;
    private const int CountCalls = 200;
    private const int EndToEndResumes = 20;
    private const double SendCostTarget = 1.3;
    private const double ResumeTargetMs = 50;

    private static readonly ChannelMessage Tick = new("bench.tick", new byte[64]);

    public static async Task RunAsync(string server, double seconds, int rounds, int repetitions)
    {
        var details = new List<string>();
        var prefix = $"hb{Environment.ProcessId}";
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{server},allowAdmin=true"); // INFO cpu
        var redisServer = redis.GetServer(redis.GetEndPoints()[0]);

        // 1. Group send, history off then on, alternated; one sender, then 16.
        var sequential = new Dictionary<bool, SendFigures>();
        var concurrent = new Dictionary<bool, SendFigures>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var history in new[] { false, true })
            {
                await using var layer = await ConnectAsync(server, $"{prefix}r{round}{(history ? "on" : "off")}", history);
                var one = await GroupSendAsync(layer, redisServer, $"feed.one{round}", senders: 1, seconds);
                var many = await GroupSendAsync(layer, redisServer, $"feed.many{round}", ConcurrentSenders, seconds);
                details.Add($"round {round}, history {(history ? "on " : "off")}: 1 sender {one}; {ConcurrentSenders} senders {many}");
                sequential[history] = sequential.TryGetValue(history, out var s) ? s.Add(one) : one;
                concurrent[history] = concurrent.TryGetValue(history, out var c) ? c.Add(many) : many;
                await layer.FlushAsync();
            }
        }

        foreach (var history in new[] { false, true })
        {
            details.Add($"all rounds, history {(history ? "on " : "off")}: 1 sender {sequential[history].Cpu}; {ConcurrentSenders} senders {concurrent[history].Cpu}");
        }

        var rows = new List<string>
        {
            SendRow("group send to 100 members, 1 sender", sequential[false], sequential[true]),
            SendRow($"group send to 100 members, {ConcurrentSenders} senders", concurrent[false], concurrent[true]),
        };

        // 2. Resume of 1,000 missed messages.
        await using (var layer = await ConnectAsync(server, $"{prefix}resume", history: true))
        {
            var (resume, nothingMissed, sendTime) = await ResumeAsync(layer, "feed.resume", repetitions);
            var ratio = resume.Quantile(0.5) / nothingMissed.Quantile(0.5);
            rows.Add(Row(
                $"resume of {Missed:N0} missed 64-byte messages (GroupHistoryAsync, {repetitions} times)",
                $"p50 {Ms(resume.Quantile(0.5))}, p99 {Ms(resume.Quantile(0.99))}, max {Ms(resume.Max)}",
                $"nothing missed (same call at the latest position): p50 {Ms(nothingMissed.Quantile(0.5))}, p99 {Ms(nothingMissed.Quantile(0.99))}",
                $"{ratio:F1}x (p50)",
                $"< {ResumeTargetMs:F0} ms (p99)",
                resume.Quantile(0.99) < ResumeTargetMs / 1000));
            details.Add($"resume: each repetition first sent {Missed:N0} messages to the group (16 senders), {Ms(sendTime.Quantile(0.5))} per {Missed:N0} at p50; the read then returned all {Missed:N0}, offsets in order");
            await layer.FlushAsync();
        }

        // 2b. The same end to end: a WebSocket client that comes back with ?since= and receives the 1,000 frames.
        var endToEnd = new Samples();
        endToEnd.AddSeconds(await ResumeEndToEnd.RunAsync(server, $"{prefix}e2e", Missed, EndToEndResumes));
        rows.Add(Row(
            $"resume of {Missed:N0} missed messages end to end (WebSocket connect with ?since= to the last of {Missed:N0} frames, {EndToEndResumes} times)",
            $"p50 {Ms(endToEnd.Quantile(0.5))}, p99 {Ms(endToEnd.Quantile(0.99))}, max {Ms(endToEnd.Max)}",
            "the layer-level resume above",
            "",
            $"< {ResumeTargetMs:F0} ms (p99)",
            endToEnd.Quantile(0.99) < ResumeTargetMs / 1000));

        // 3. Member count of a 100,000-member group.
        await using (var layer = await ConnectAsync(server, $"{prefix}count", history: false))
        {
            var (joinTime, big) = await MemberCountAsync(layer, "count.big", BigGroup);
            var (_, small) = await MemberCountAsync(layer, "count.small", GroupMembers);
            await using var memory = new InMemoryChannelLayer(new ChannelLayerOptions { Capacity = 100 });
            var (memoryJoinTime, inMemory) = await MemberCountAsync(memory, "count.big", BigGroup);
            rows.Add(Row(
                $"member count of a {BigGroup:N0}-member group (GroupMemberCountAsync, {CountCalls} calls)",
                $"p50 {Us(big.Quantile(0.5))}, p99 {Us(big.Quantile(0.99))}",
                $"{GroupMembers} members: p50 {Us(small.Quantile(0.5))}, p99 {Us(small.Quantile(0.99))}; in-memory layer, {BigGroup:N0}: p50 {Us(inMemory.Quantile(0.5))}",
                $"{big.Quantile(0.5) / small.Quantile(0.5):F2}x of 100 members (p50)",
                "none set (reported)",
                null));
            rows.Add(Row(
                $"joining {BigGroup:N0} process-local members ({JoinsInFlight} GroupAddAsync in flight)",
                $"{joinTime:F2} s ({BigGroup / joinTime:N0} joins/s)",
                $"in-memory layer: {memoryJoinTime:F2} s",
                "",
                "none set (reported)",
                null));
            await layer.FlushAsync();
        }

        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }

        Console.WriteLine();
        foreach (var line in details)
        {
            Console.WriteLine($"- {line}");
        }
    }

    private static async Task<ChannelLayer> ConnectAsync(string server, string prefix, bool history)
    {
        // As the "group send to 100 members" row of run.sh: nobody receives during the send scenarios, so the members'
        // capacity and the process inbox must not fill up. History rule: the shipped defaults.
        var options = new RedisChannelLayerOptions { Prefix = prefix };
        options.Servers.Add(server);
        options.Layer.Capacity = 100_000;
        options.InboxCapacity = 10_000_000;
        if (history)
        {
            options.Layer.WithGroupHistory(HistoryPattern);
        }

        return await RedisChannelLayer.ConnectAsync(options);
    }

    // Sends to a group of 100 fresh process-local channels for the given time from `senders` tasks, after a warm-up
    // (JIT, script cache, and a history already at its MaxCount); every send must report all members reached.
    // Also measures the CPU time each send cost this process and the redis-server (INFO cpu), to tell where it goes.
    private static async Task<SendFigures> GroupSendAsync(ChannelLayer layer, IServer redis, string group, int senders, double seconds)
    {
        for (var i = 0; i < GroupMembers; i++)
        {
            await layer.GroupAddAsync(group, await layer.NewChannelAsync($"members{senders}"));
        }

        await SendFromAsync(layer, group, senders, TimeSpan.FromSeconds(Math.Min(1, seconds / 2)), warmUp: 2_000);
        var redisCpu = await RedisCpuSecondsAsync(redis);
        var clientCpu = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        var latencies = await SendFromAsync(layer, group, senders, TimeSpan.FromSeconds(seconds), warmUp: 0);
        var elapsed = clock.Elapsed.TotalSeconds;
        return new SendFigures(
            latencies.Count,
            elapsed,
            latencies,
            (Environment.CpuUsage.TotalTime - clientCpu).TotalSeconds,
            await RedisCpuSecondsAsync(redis) - redisCpu);
    }

    // used_cpu_sys + used_cpu_user of the redis-server, in seconds.
    private static async Task<double> RedisCpuSecondsAsync(IServer redis)
    {
        var cpu = (await redis.InfoAsync("cpu")).SelectMany(group => group).ToDictionary(pair => pair.Key, pair => pair.Value);
        return double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture);
    }

    // Runs `senders` send loops until the time is up (or, with warmUp > 0, until that many sends or the time);
    // returns each send's time in Stopwatch ticks.
    private static async Task<Samples> SendFromAsync(ChannelLayer layer, string group, int senders, TimeSpan duration, int warmUp)
    {
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var loops = Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<long>(1 << 14);
            while (clock.Elapsed < duration && (warmUp == 0 || Volatile.Read(ref sent) < warmUp))
            {
                var started = Stopwatch.GetTimestamp();
                var result = await layer.GroupSendAsync(group, Tick);
                latencies.Add(Stopwatch.GetTimestamp() - started);
                if (result.Delivered != GroupMembers)
                {
                    throw new InvalidOperationException($"A group send to {group} reached {result.Delivered} of {GroupMembers} members.");
                }

                Interlocked.Increment(ref sent);
            }

            return latencies;
        })).ToArray();
        var all = new Samples();
        foreach (var latencies in await Task.WhenAll(loops))
        {
            all.AddTicks(latencies);
        }

        return all;
    }

    private static async Task<(Samples Resume, Samples NothingMissed, Samples SendTime)> ResumeAsync(ChannelLayer layer, string group, int repetitions)
    {
        var resume = new Samples();
        var nothingMissed = new Samples();
        var sendTime = new Samples();
        const int WarmUp = 5;
        for (var i = 0; i < WarmUp + repetitions; i++)
        {
            var before = (await layer.GroupHistoryAsync(group)).Position;
            var sending = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, ConcurrentSenders).Select(s => Task.Run(async () =>
            {
                for (var n = s; n < Missed; n += ConcurrentSenders)
                {
                    await layer.GroupSendAsync(group, Tick);
                }
            })));
            sending.Stop();

            var started = Stopwatch.GetTimestamp();
            var history = await layer.GroupHistoryAsync(group, before);
            var took = Stopwatch.GetTimestamp() - started;
            Check(history, before, Missed);

            started = Stopwatch.GetTimestamp();
            var latest = await layer.GroupHistoryAsync(group, history.Position);
            var tookEmpty = Stopwatch.GetTimestamp() - started;
            Check(latest, history.Position, 0);

            if (i >= WarmUp)
            {
                resume.AddTicks([took]);
                nothingMissed.AddTicks([tookEmpty]);
                sendTime.Add(sending.Elapsed.TotalSeconds);
            }
        }

        return (resume, nothingMissed, sendTime);
    }

    // A resume must give exactly the messages after `since`, in order, each with its position.
    private static void Check(GroupHistory history, GroupPosition since, int expected)
    {
        if (!history.Recovered || history.Messages.Count != expected)
        {
            throw new InvalidOperationException($"A resume from {since} gave {history.Messages.Count} messages (loss {history.Loss}), not {expected}.");
        }

        if (history.Position != since with { Offset = since.Offset + expected })
        {
            throw new InvalidOperationException($"A resume from {since} said the latest position is {history.Position}, not {since.Offset + expected}.");
        }

        for (var i = 0; i < expected; i++)
        {
            var position = history.Messages[i].Headers.TryGetValue(MessageHeaders.Position, out var text) ? text : null;
            if (position != (since with { Offset = since.Offset + i + 1 }).ToString() || history.Messages[i].Payload.Length != Tick.Payload.Length)
            {
                throw new InvalidOperationException($"Message {i + 1} of a resume from {since} has position {position ?? "(none)"}.");
            }
        }
    }

    // Joins `members` fresh process-local channels (64 joins in flight; returns the seconds it took), then times
    // GroupMemberCountAsync, which must give `members` every time.
    private static async Task<(double JoinSeconds, Samples Counts)> MemberCountAsync(ChannelLayer layer, string group, int members)
    {
        var channels = new string[members];
        for (var i = 0; i < members; i++)
        {
            channels[i] = await layer.NewChannelAsync("counted");
        }

        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, JoinsInFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < members; i = Interlocked.Increment(ref next))
            {
                await layer.GroupAddAsync(group, channels[i]);
            }
        })));
        var joinSeconds = clock.Elapsed.TotalSeconds;

        var counts = new Samples();
        for (var i = 0; i < 20 + CountCalls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var count = await layer.GroupMemberCountAsync(group);
            var took = Stopwatch.GetTimestamp() - started;
            if (count != members)
            {
                throw new InvalidOperationException($"GroupMemberCountAsync({group}) gave {count}, not {members}.");
            }

            if (i >= 20)
            {
                counts.AddTicks([took]);
            }
        }

        return (joinSeconds, counts);
    }

    private static string SendRow(string work, SendFigures off, SendFigures on)
    {
        var cost = off.Rate / on.Rate;
        return Row(
            $"{work}: history on (group sends/s)",
            $"{on.Rate:N0}/s (p50 {Us(on.Latencies.Quantile(0.5))}, p99 {Us(on.Latencies.Quantile(0.99))})",
            $"history off: {off.Rate:N0}/s (p50 {Us(off.Latencies.Quantile(0.5))}, p99 {Us(off.Latencies.Quantile(0.99))})",
            $"{cost:F2}x (off/on)",
            $"<= {SendCostTarget:F1}x",
            cost <= SendCostTarget);
    }

    private static string Row(string work, string figure, string reference, string ratio, string target, bool? met) =>
        $"| {work} | {figure} | {reference} | {ratio} | {target} | {(met switch { true => "**met**", false => "**unmet**", null => "" })} |";

    private static string Ms(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:F2} ms");

    private static string Us(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1_000_000:F0} us");

    // Sends over a measured time: their count, the time, and each send's latency.
    // (CPU: seconds of this process's and of the redis-server's CPU time over the measured time.)
    private sealed record SendFigures(int Sends, double Seconds, Samples Latencies, double ClientCpu, double RedisCpu)
    {
        public double Rate => Sends / Seconds;

        public SendFigures Add(SendFigures other) =>
            new(Sends + other.Sends, Seconds + other.Seconds, Latencies.Merge(other.Latencies), ClientCpu + other.ClientCpu, RedisCpu + other.RedisCpu);

        public string Cpu => string.Create(CultureInfo.InvariantCulture, $"CPU per send: client {Us(ClientCpu / Sends)}, redis-server {Us(RedisCpu / Sends)}");

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Rate:F0}/s (p50 {Us(Latencies.Quantile(0.5))}, p99 {Us(Latencies.Quantile(0.99))}; {Cpu})");
    }
}
