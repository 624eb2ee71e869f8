// Presence on a 10,000-member group on the Redis layer (issue 15), each figure next to its reference measured in the
// same run, on the same redis-server, with the shipped presence defaults (PresenceInterval 250 ms, PresenceTimeout 30 s):
//   join with presence      10,000 process-local channels of this process (NewChannelAsync) joined with
//                           JoinPresenceAsync(group, channel, "user{i}", small info), 64 in flight: joins/s;
//                           reference: 10,000 plain GroupAddAsync to another group, same layer, same run; and 1,000
//                           presence joins to a fresh group (how the join's cost grows with the group)
//   churn events            with the 10,000 in the group, one of them (the watcher) receives every PresenceEvent; the
//                           others nobody receives on (capacity 100,000 and an inbox of 10,000,000: nothing skipped).
//                           1,000 members leave (GroupDiscardAsync), then 1,000 new ones join (JoinPresenceAsync), 64
//                           in flight, as fast as possible: events, joins+leaves per event, payload bytes per event,
//                           time from the last churn call to the watcher having seen all 2,000 changes, deliveries/s;
//                           reference: the same on a layer whose rule is counts-only
//   listing                 GroupPresenceAsync of the 10,000 in pages of 1,000 (all pages), [listings] times;
//                           reference: GroupMembersAsync of the same group in pages of 1,000
// Prints the rows of a Markdown table (| Work | figure | reference | ratio | target | met |), then a blank line and
// the details; bench/redis/presence.sh puts the header around them. Fails (exit code not 0) on a wrong result: a
// member count that is not the number joined, an event that misses, repeats or invents a member, a member's queue that
// did not get the watcher's events, a listing that is not the group.
// Usage: Switchyard.Redis.Benchmarks presence <host:port> [members] [listings]
using System.Diagnostics;
using System.Globalization;
using Switchyard;
using Switchyard.Redis;
using ConnectionMultiplexer = StackExchange.Redis.ConnectionMultiplexer;
using IServer = StackExchange.Redis.IServer;

internal static class PresenceBench
{
    private const string Pattern = "room.*";
    private const string Group = "room.big";
    private const string PlainGroup = "plain.big";
    private const string Info = "{\"device\":\"web\"}";
    private const int JoinsInFlight = 64;
    private const int PageSize = 1_000;
    private const int SampledMembers = 3;

    // After the last change the watcher must see it within this; and this long without an event counts as quiet.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(string server, int members, int listings)
    {
        var churn = members / 10;
        var details = new List<string>();
        var rows = new List<string>();
        var prefix = $"pb{Environment.ProcessId}";
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{server},allowAdmin=true"); // INFO cpu
        var redisServer = redis.GetServer(redis.GetEndPoints()[0]);

        // Members mode (the default rule), then counts-only: each on its own layer and key prefix.
        var full = await RunModeAsync(server, $"{prefix}m", redisServer, countsOnly: false, members, churn, listings, details);
        var counts = await RunModeAsync(server, $"{prefix}c", redisServer, countsOnly: true, members, churn, listings: 0, details);
        var small = await JoinSmallAsync(server, $"{prefix}s", redisServer, churn);

        rows.Add(Row(
            $"join {members:N0} members with presence (JoinPresenceAsync, {JoinsInFlight} in flight)",
            $"{full.Join.Seconds:F2} s ({members / full.Join.Seconds:N0} joins/s; redis-server CPU {Us(full.Join.RedisCpu / members)} per join)",
            $"plain GroupAddAsync, same layer: {full.PlainJoin.Seconds:F2} s ({members / full.PlainJoin.Seconds:N0} joins/s; redis-server CPU {Us(full.PlainJoin.RedisCpu / members)} per join); {churn:N0} members with presence (another group): {small.Seconds:F2} s ({churn / small.Seconds:N0} joins/s; redis-server CPU {Us(small.RedisCpu / churn)} per join)",
            $"{full.Join.Seconds / full.PlainJoin.Seconds:F1}x the time",
            "none set (reported)",
            null));
        rows.Add(Row(
            $"churn on a {members:N0}-member group: {churn:N0} leave then {churn:N0} join, {JoinsInFlight} in flight: PresenceEvents (counted at the watcher)",
            $"{full.Churn.Events} events in {Sec(full.Churn.Window)} ({full.Churn.Events / full.Churn.Window:F1} events/s), {2.0 * churn / full.Churn.Events:F0} joins+leaves per event",
            $"counts-only: {counts.Churn.Events} events in {Sec(counts.Churn.Window)} ({counts.Churn.Events / counts.Churn.Window:F1} events/s)",
            $"{(double)full.Churn.Events / counts.Churn.Events:F1}x the events",
            "none set (reported)",
            null));
        rows.Add(Row(
            "churn: bytes per PresenceEvent (binary payload; JSON frame to a WebSocket client)",
            $"avg {full.Churn.Bytes.Average:N0} B, max {full.Churn.Bytes.Max:N0} B ({full.Churn.Bytes.Sum / (2.0 * churn):F1} B per join/leave); JSON avg {full.Churn.Json.Average:N0} B, max {full.Churn.Json.Max:N0} B",
            $"counts-only: avg {counts.Churn.Bytes.Average:N0} B, max {counts.Churn.Bytes.Max:N0} B; JSON avg {counts.Churn.Json.Average:N0} B",
            $"{full.Churn.Bytes.Average / counts.Churn.Bytes.Average:F0}x per event",
            "none set (reported)",
            null));
        rows.Add(Row(
            $"churn: last churn call to the watcher having seen all {2 * churn:N0} changes",
            Ms(full.Churn.Latency),
            $"counts-only (to the event with the final count {members:N0}): {Ms(counts.Churn.Latency)}; the interval is 250 ms",
            "",
            "none set (reported)",
            null));
        rows.Add(Row(
            $"churn: deliveries to the group's members (events x {members:N0} members / window)",
            $"{full.Churn.Events * (double)members / full.Churn.Window:N0} deliveries/s ({full.Churn.Events * (double)members * full.Churn.Bytes.Average / full.Churn.Window / 1e6:N0} MB/s of payload fanned out)",
            $"counts-only: {counts.Churn.Events * (double)members / counts.Churn.Window:N0} deliveries/s",
            "",
            "none set (reported)",
            null));
        rows.Add(Row(
            $"listing the {members:N0} (GroupPresenceAsync, pages of {PageSize:N0}, all {(members + PageSize - 1) / PageSize} pages, {listings} times)",
            $"p50 {Ms(full.Listing!.Quantile(0.5))}, p99 {Ms(full.Listing.Quantile(0.99))}",
            $"GroupMembersAsync (channels only), same group and pages: p50 {Ms(full.ChannelListing!.Quantile(0.5))}, p99 {Ms(full.ChannelListing.Quantile(0.99))}",
            $"{full.Listing.Quantile(0.5) / full.ChannelListing.Quantile(0.5):F1}x (p50)",
            "none set (reported)",
            null));

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

    private static async Task<ModeFigures> RunModeAsync(
        string server, string prefix, IServer redis, bool countsOnly, int members, int churn, int listings, List<string> details)
    {
        var mode = countsOnly ? "counts-only" : "members";
        await using var layer = await ConnectAsync(server, prefix, countsOnly);

        // Reference: the same number of plain joins (no presence rule matches the group), same layer.
        var plainChannels = await NewChannelsAsync(layer, "plain", members);
        var plainJoin = await TimedAsync(redis, () => ForAllAsync(members, i => layer.GroupAddAsync(PlainGroup, plainChannels[i])));
        await CheckCountAsync(layer, PlainGroup, members);

        // The watcher is member 0; it receives from before its own join.
        var channels = await NewChannelsAsync(layer, "member", members + churn);
        using var stop = new CancellationTokenSource();
        var watcher = new Watcher(layer, channels[0], stop.Token);
        var join = await TimedAsync(redis, async () =>
        {
            // The watcher first, so that it is in the group before any event is sent; then the others.
            await JoinAsync(layer, channels[0], 0);
            await ForAllAsync(members - 1, i => JoinAsync(layer, channels[1 + i], 1 + i));
        });
        await CheckCountAsync(layer, Group, members);

        // Every join must reach the watcher (in members mode, each once); then nothing more.
        var joinEvents = await watcher.WaitForAsync(
            seen => countsOnly ? seen.LastCount == members : seen.Joined.Count == members,
            $"the {members:N0} joins");
        await watcher.WaitQuietAsync();
        watcher.Check(countsOnly, expectJoined: Users(0, members), expectLeft: [], finalCount: members);
        details.Add($"{mode}: joining {members:N0}: the watcher got {joinEvents.Count} events, avg {joinEvents.Bytes.Average:N0} B, max {joinEvents.Bytes.Max:N0} B, the last {Ms(Seconds(joinEvents.LastAt - join.End))} after the last join call");

        // Some other members nobody received on: their queues are emptied now, and must hold the churn's events later.
        var sampled = Enumerable.Range(1, SampledMembers).Select(k => channels[churn + (k * (members - churn - 1) / SampledMembers)]).ToArray();
        foreach (var channel in sampled)
        {
            await DrainAsync(layer, channel);
        }

        // Churn: members 1..churn leave, then members..members+churn-1 join; count goes down, then back to `members`.
        watcher.Reset();
        var churnCpu = await RedisCpuSecondsAsync(redis);
        var churnStart = Stopwatch.GetTimestamp();
        await ForAllAsync(churn, i => layer.GroupDiscardAsync(Group, channels[1 + i]));
        var leavesEnd = Stopwatch.GetTimestamp();
        await ForAllAsync(churn, i => JoinAsync(layer, channels[members + i], members + i));
        var churnEnd = Stopwatch.GetTimestamp();
        churnCpu = await RedisCpuSecondsAsync(redis) - churnCpu;
        var churnEvents = await watcher.WaitForAsync(
            seen => countsOnly ? seen.LastCount == members : seen.Joined.Count == churn && seen.Left.Count == churn,
            $"the {2 * churn:N0} churn changes");
        await watcher.WaitQuietAsync();
        watcher.Check(countsOnly, expectJoined: Users(members, churn), expectLeft: Users(1, churn), finalCount: members);
        await CheckCountAsync(layer, Group, members);
        var window = Seconds(churnEvents.LastAt - churnStart);
        details.Add(string.Create(
            CultureInfo.InvariantCulture,
            $"{mode}: churn calls took {Ms(Seconds(churnEnd - churnStart))} ({churn:N0} leaves {Ms(Seconds(leavesEnd - churnStart))}, {churn:N0} joins {Ms(Seconds(churnEnd - leavesEnd))}; redis-server CPU {Us(churnCpu / (2 * churn))} per join or leave); {churnEvents.Count} events, first seen {Ms(Seconds(churnEvents.FirstAt - churnStart))} after the churn's start, last {Ms(Seconds(churnEvents.LastAt - churnEnd))} after its last call; counts seen {string.Join(", ", churnEvents.Counts)}"));

        // Every sampled member's queue holds exactly the watcher's churn events, in order (the local fan-out reached it).
        foreach (var channel in sampled)
        {
            var queued = await DrainAsync(layer, channel);
            if (!queued.SequenceEqual(churnEvents.Payloads, PayloadComparer.Instance))
            {
                throw new InvalidOperationException($"{mode}: member {channel} got {queued.Count} presence events during the churn, not the watcher's {churnEvents.Count}.");
            }
        }

        details.Add($"{mode}: {SampledMembers} other members checked: each queue held the same {churnEvents.Count} churn events as the watcher's");

        Samples? listing = null;
        Samples? channelListing = null;
        if (listings > 0)
        {
            var present = Users(0, members).Except(Users(1, churn)).Concat(Users(members, churn)).ToHashSet(StringComparer.Ordinal);
            var expectedChannels = channels.Where((_, i) => i == 0 || (i > churn && i < members) || i >= members).ToHashSet(StringComparer.Ordinal);
            (listing, channelListing) = await ListingsAsync(layer, listings, present, expectedChannels);
            details.Add($"{mode}: every listing gave the {members:N0} present members exactly once (user ids and channels), every channel listing the {members:N0} channels");
        }

        await stop.CancelAsync();
        await watcher.StopAsync();
        await layer.FlushAsync();
        return new ModeFigures(plainJoin, join, new ChurnFigures(churnEvents.Count, window, Seconds(churnEvents.LastAt - churnEnd), churnEvents.Bytes, churnEvents.Json), listing, channelListing);
    }

    // The reference for how the presence join grows with the group: `members` presence joins to a fresh group.
    private static async Task<JoinFigures> JoinSmallAsync(string server, string prefix, IServer redis, int members)
    {
        await using var layer = await ConnectAsync(server, prefix, countsOnly: false);
        var channels = await NewChannelsAsync(layer, "small", members);
        var join = await TimedAsync(redis, () => ForAllAsync(members, i => JoinAsync(layer, channels[i], i, "room.small")));
        await CheckCountAsync(layer, "room.small", members);
        await layer.FlushAsync();
        return join;
    }

    private static ValueTask JoinAsync(ChannelLayer layer, string channel, int user, string group = Group) =>
        new(layer.JoinPresenceAsync(group, channel, $"user{user}", Info).AsTask());

    private static async Task<ChannelLayer> ConnectAsync(string server, string prefix, bool countsOnly)
    {
        // Nobody receives on all members but one: their capacity and the process inbox must not fill up, so nothing is
        // skipped (as the history bench's send rows). Presence: the shipped defaults (interval 250 ms, timeout 30 s).
        var options = new RedisChannelLayerOptions { Prefix = prefix };
        options.Servers.Add(server);
        options.Layer.Capacity = 100_000;
        options.InboxCapacity = 10_000_000;
        options.Layer.WithPresence(Pattern, countsOnly);
        return await RedisChannelLayer.ConnectAsync(options);
    }

    private static async Task<string[]> NewChannelsAsync(ChannelLayer layer, string prefix, int count)
    {
        var channels = new string[count];
        for (var i = 0; i < count; i++)
        {
            channels[i] = await layer.NewChannelAsync(prefix);
        }

        return channels;
    }

    private static IEnumerable<string> Users(int from, int count) => Enumerable.Range(from, count).Select(i => $"user{i}");

    // Runs the work, timed, with the redis-server's CPU time over it.
    private static async Task<JoinFigures> TimedAsync(IServer redis, Func<Task> work)
    {
        var redisCpu = await RedisCpuSecondsAsync(redis);
        var started = Stopwatch.GetTimestamp();
        await work();
        var end = Stopwatch.GetTimestamp();
        return new JoinFigures(Seconds(end - started), end, await RedisCpuSecondsAsync(redis) - redisCpu);
    }

    private static async Task ForAllAsync(int count, Func<int, ValueTask> work)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, JoinsInFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                await work(i);
            }
        })));
    }

    private static async Task CheckCountAsync(ChannelLayer layer, string group, long expected)
    {
        var count = await layer.GroupMemberCountAsync(group);
        if (count != expected)
        {
            throw new InvalidOperationException($"GroupMemberCountAsync({group}) gave {count}, not {expected}.");
        }
    }

    // Receives everything queued for a channel: sends it a marker, receives up to it; returns the presence events' payloads.
    private static async Task<List<byte[]>> DrainAsync(ChannelLayer layer, string channel)
    {
        await layer.SendAsync(channel, new ChannelMessage("bench.marker", Array.Empty<byte>()));
        var events = new List<byte[]>();
        using var timeout = new CancellationTokenSource(Deadline);
        while (true)
        {
            var message = await layer.ReceiveAsync(channel, timeout.Token);
            if (message.Type == "bench.marker")
            {
                return events;
            }

            if (message.Type == PresenceEvent.MessageType)
            {
                events.Add(message.Payload.ToArray());
            }
        }
    }

    // GroupPresenceAsync, then GroupMembersAsync, of the group, all pages each, `listings` times after 3 not counted.
    private static async Task<(Samples Presence, Samples Channels)> ListingsAsync(ChannelLayer layer, int listings, HashSet<string> users, HashSet<string> channels)
    {
        var presence = new Samples();
        var plain = new Samples();
        for (var round = 0; round < 3 + listings; round++)
        {
            var started = Stopwatch.GetTimestamp();
            var listed = new List<PresenceMember>(users.Count);
            string? cursor = null;
            do
            {
                var page = await layer.GroupPresenceAsync(Group, cursor, PageSize);
                listed.AddRange(page.Members);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            var took = Stopwatch.GetTimestamp() - started;
            if (listed.Count != users.Count || !listed.Select(m => m.UserId!).ToHashSet(StringComparer.Ordinal).SetEquals(users)
                || !listed.Select(m => m.Channel).ToHashSet(StringComparer.Ordinal).SetEquals(channels) || listed.Any(m => m.Info != Info))
            {
                throw new InvalidOperationException($"GroupPresenceAsync listed {listed.Count} members, not the {users.Count} present.");
            }

            started = Stopwatch.GetTimestamp();
            var names = new List<string>(channels.Count);
            cursor = null;
            do
            {
                var page = await layer.GroupMembersAsync(Group, cursor, PageSize);
                names.AddRange(page.Channels);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            var tookPlain = Stopwatch.GetTimestamp() - started;
            if (names.Count != channels.Count || !names.ToHashSet(StringComparer.Ordinal).SetEquals(channels))
            {
                throw new InvalidOperationException($"GroupMembersAsync listed {names.Count} channels, not the group's {channels.Count}.");
            }

            if (round >= 3)
            {
                presence.AddTicks([took]);
                plain.AddTicks([tookPlain]);
            }
        }

        return (presence, plain);
    }

    // used_cpu_sys + used_cpu_user of the redis-server, in seconds.
    private static async Task<double> RedisCpuSecondsAsync(IServer redis)
    {
        var cpu = (await redis.InfoAsync("cpu")).SelectMany(group => group).ToDictionary(pair => pair.Key, pair => pair.Value);
        return double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture);
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    private static string Row(string work, string figure, string reference, string ratio, string target, bool? met) =>
        $"| {work} | {figure} | {reference} | {ratio} | {target} | {(met switch { true => "**met**", false => "**unmet**", null => "" })} |";

    private static string Ms(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:F1} ms");

    private static string Sec(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:F2} s");

    private static string Us(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1_000_000:F0} us");

    private sealed record JoinFigures(double Seconds, long End, double RedisCpu);

    private sealed record ChurnFigures(int Events, double Window, double Latency, Sizes Bytes, Sizes Json);

    private sealed record ModeFigures(JoinFigures PlainJoin, JoinFigures Join, ChurnFigures Churn, Samples? Listing, Samples? ChannelListing);

    internal sealed class Sizes
    {
        public long Sum { get; private set; }

        public int Count { get; private set; }

        public int Max { get; private set; }

        public double Average => Count == 0 ? double.NaN : (double)Sum / Count;

        public void Add(int size)
        {
            Sum += size;
            Count++;
            Max = Math.Max(Max, size);
        }
    }

    private sealed class PayloadComparer : IEqualityComparer<byte[]>
    {
        public static readonly PayloadComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }

    // What the watcher saw since the last Reset: the members joined and left (user ids, each must be new), the events.
    internal sealed class Seen
    {
        public HashSet<string> Joined { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Left { get; } = new(StringComparer.Ordinal);

        public List<string> Duplicates { get; } = [];

        public List<long> Counts { get; } = [];

        public List<byte[]> Payloads { get; } = [];

        public Sizes Bytes { get; } = new();

        public Sizes Json { get; } = new();

        public long LastCount { get; set; } = -1;

        public long FirstAt { get; set; }

        public long LastAt { get; set; }

        public int Count => Payloads.Count;
    }

    // Member 0's receive loop: every PresenceEvent of the group, decoded and checked as it comes.
    private sealed class Watcher
    {
        private readonly Lock _lock = new();
        private readonly SemaphoreSlim _arrived = new(0);
        private readonly Task _loop;
        private Seen _seen = new();
        private Exception? _failed;

        public Watcher(ChannelLayer layer, string channel, CancellationToken stop)
        {
            _loop = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var message = await layer.ReceiveAsync(channel, stop);
                        var at = Stopwatch.GetTimestamp();
                        if (message.Type != PresenceEvent.MessageType)
                        {
                            throw new InvalidOperationException($"The watcher got a {message.Type} message.");
                        }

                        var presence = message.Read<PresenceEvent>();
                        var json = message.GetJsonFrame<PresenceEvent>().Length;
                        lock (_lock)
                        {
                            Add(_seen, presence, message.Payload.ToArray(), json, at);
                        }

                        _arrived.Release();
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    _failed = ex;
                    _arrived.Release();
                }
            });
        }

        public void Reset()
        {
            lock (_lock)
            {
                _seen = new Seen();
            }
        }

        // Waits until the condition holds of what was seen (checked at each arrival), for at most the deadline.
        public async Task<Seen> WaitForAsync(Func<Seen, bool> done, string what)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                lock (_lock)
                {
                    if (_failed is not null)
                    {
                        throw new InvalidOperationException("The watcher failed.", _failed);
                    }

                    if (done(_seen))
                    {
                        return _seen;
                    }
                }

                if (!await _arrived.WaitAsync(Deadline - deadline.Elapsed))
                {
                    lock (_lock)
                    {
                        throw new InvalidOperationException($"The watcher did not see {what} within {Deadline.TotalSeconds} s: {_seen.Count} events, {_seen.Joined.Count} joins, {_seen.Left.Count} leaves, last count {_seen.LastCount}.");
                    }
                }
            }
        }

        // Waits until no event has come for a second (what came meanwhile is kept, and checked by Check).
        public async Task WaitQuietAsync()
        {
            while (await _arrived.WaitAsync(Quiet))
            {
            }

            if (_failed is not null)
            {
                throw new InvalidOperationException("The watcher failed.", _failed);
            }
        }

        public void Check(bool countsOnly, IEnumerable<string> expectJoined, IEnumerable<string> expectLeft, long finalCount)
        {
            lock (_lock)
            {
                if (_seen.Duplicates.Count > 0)
                {
                    throw new InvalidOperationException($"The watcher was told of {_seen.Duplicates.Count} changes twice, such as {_seen.Duplicates[0]}.");
                }

                if (_seen.LastCount != finalCount)
                {
                    throw new InvalidOperationException($"The last event said the group has {_seen.LastCount} members, not {finalCount}.");
                }

                if (countsOnly)
                {
                    if (_seen.Joined.Count + _seen.Left.Count > 0)
                    {
                        throw new InvalidOperationException("A counts-only event named members.");
                    }

                    return;
                }

                if (!_seen.Joined.SetEquals(expectJoined) || !_seen.Left.SetEquals(expectLeft))
                {
                    throw new InvalidOperationException($"The watcher was told of {_seen.Joined.Count} joins and {_seen.Left.Count} leaves, not the expected ones.");
                }
            }
        }

        public async Task StopAsync() => await _loop;

        private static void Add(Seen seen, PresenceEvent presence, byte[] payload, int json, long at)
        {
            if (presence.Group != Group)
            {
                throw new InvalidOperationException($"An event of group {presence.Group} reached the watcher.");
            }

            foreach (var member in presence.Joins)
            {
                if (member.Info != Info || member.UserId is null || !seen.Joined.Add(member.UserId))
                {
                    seen.Duplicates.Add($"join of {member.UserId} ({member.Channel})");
                }
            }

            foreach (var member in presence.Leaves)
            {
                if (member.Info != Info || member.UserId is null || !seen.Left.Add(member.UserId))
                {
                    seen.Duplicates.Add($"leave of {member.UserId} ({member.Channel})");
                }
            }

            if (seen.Count == 0)
            {
                seen.FirstAt = at;
            }

            seen.LastAt = at;
            seen.LastCount = presence.Count;
            seen.Counts.Add(presence.Count);
            seen.Payloads.Add(payload);
            seen.Bytes.Add(payload.Length);
            seen.Json.Add(json);
        }
    }
}
