using StackExchange.Redis;
using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

public sealed partial class RedisChannelLayer
{
    /// <inheritdoc />
    /// <remarks>
    /// On one server, one round trip (two when the group has plain members); sharded, one to the group's shard for its
    /// plain members and the processes with local members, then one script per shard involved, all shards at once.
    /// A process with local members gets ONE entry, which it fans out; its members count as reached unless its inbox
    /// is full. Members that turn out to be full in their process are skipped there, counted (<c>dropped</c>, reason
    /// <c>channel_full</c>) and logged by that process.
    /// </remarks>
    protected override async ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var history = HistoryRuleFor(group, message);
        long? waitingSince = null;
        while (true)
        {
            try
            {
                if (history is not null && !SendsWithHistoryInOneTrip)
                {
                    message = await AppendToHistoryAsync(group, history, message, cancellationToken).ConfigureAwait(false);
                    history = null;
                }

                return await GroupSendOnceAsync(group, message, history, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisConnectionException ex) when (MayWaitForRedis(ex))
            {
                waitingSince ??= Environment.TickCount64;
                if (!await WaitForRedisAsync(waitingSince.Value, cancellationToken).ConfigureAwait(false))
                {
                    throw NotBackInTime(ex);
                }
            }
        }
    }

    // history: the group's history rule when this send appends to it in the same script (one server, no encryption).
    private async Task<GroupSendResult> GroupSendOnceAsync(string group, ChannelMessage message, GroupHistoryRule? history, CancellationToken cancellationToken)
    {
        var now = NowMs;
        var cutoff = now - (long)Options.GroupExpiry.TotalMilliseconds;
        if (history is not null)
        {
            message = message.WithHeaders(message.Headers.With(MessageHeaders.Group, group).With(MessageHeaders.Position, _positionPlaceholder));
        }

        var entry = Envelope.Encode(message, now + ExpiryMs, _encryption);
        var tally = new GroupSendTally();
        RedisResult[] plain;
        var byShard = new Dictionary<(int Shard, int Slot), ShardDelivery>();
        var reachedSome = false;
        if (_shards.Length == 1 && !_shards[0].IsCluster)
        {
            // Everything is on this server: the script finds the processes and queues their entries itself.
            var reply = history is null
                ? await LayerScripts.GroupSendToInboxes.EvaluateAsync(
                        _shards[0],
                        [_keys.Group(group), _keys.GroupProcesses(group), _keys.GroupVersions(group)],
                        [cutoff, _keys.GroupMembersPrefix(group), _keys.InboxPrefix, _keys.InboxCountsPrefix, group, now, ExpiryMs, entry, (long)_redisOptions.InboxCapacity],
                        cancellationToken)
                    .ConfigureAwait(false)
                : await LayerScripts.GroupSendToInboxesWithHistory.EvaluateAsync(
                        _shards[0],
                        [_keys.Group(group), _keys.GroupProcesses(group), _keys.GroupVersions(group), _keys.GroupHistory(group), _keys.GroupHistoryState(group)],
                        [
                            cutoff, _keys.GroupMembersPrefix(group), _keys.InboxPrefix, _keys.InboxCountsPrefix, group, now, ExpiryMs, entry, (long)_redisOptions.InboxCapacity,
                            NewEpoch(), history.MaxCount, (long)history.MaxAge.TotalMilliseconds, GroupHistoryLifetimeMs, _positionPlaceholder,
                        ],
                        cancellationToken)
                    .ConfigureAwait(false);
            if (history is not null)
            {
                // The plain members get the entry as the script wrote it: with its position in place of the placeholder.
                WritePosition(entry, new GroupPosition(reply[3].AsString()!, reply[4].AsInteger()));
            }

            plain = reply[0].Items!;
            var processes = reply[1].Items!;
            var expired = reply[2].Items!;
            for (var i = 0; i + 2 < expired.Length; i += 3)
            {
                var part = processes[3 * ((int)expired[i].AsInteger() - 1)].AsString();
                OnMessagesExpired(part + expired[i + 1].AsString(), (int)expired[i + 2].AsInteger());
            }

            for (var i = 0; i + 2 < processes.Length; i += 3)
            {
                reachedSome |= processes[i + 2].AsInteger() == 1;
                TallyInbox(tally, processes[i].AsString()!, (int)processes[i + 1].AsInteger(), processes[i + 2].AsInteger());
            }
        }
        else
        {
            var targets = await LayerScripts.GroupTargets.EvaluateAsync(
                    ShardOf(group),
                    [_keys.Group(group), _keys.GroupProcesses(group), _keys.GroupVersions(group)],
                    [cutoff, _keys.GroupMembersPrefix(group)],
                    cancellationToken)
                .ConfigureAwait(false);
            plain = targets[0].Items!;
            var processes = targets[1].Items!;
            for (var i = 0; i + 2 < processes.Length; i += 3)
            {
                var nonLocalPart = processes[i].AsString()!;
                var head = $"@{group},{processes[i + 1].AsString()}";
                For(nonLocalPart, _keys.Inbox(nonLocalPart)).Inboxes.Add(new InboxTarget(nonLocalPart, head, 0, (int)processes[i + 2].AsInteger()));
            }
        }

        foreach (var member in plain)
        {
            var channel = member.AsString()!;
            For(channel, _keys.Channel(channel)).Plain.Add(channel);
        }

        if (byShard.Count == 0)
        {
            return Tallied(group, message, tally);
        }

        // One script per shard (per hash slot on a cluster; the plain members' capacities are this layer's rules), all at once.
        var deliveries = byShard.Values.ToArray();
        var pending = deliveries.Select(d => DeliverAsync(d, entry, now, group: true, cancellationToken)).ToArray();
        long[][] results;
        try
        {
            results = await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (RedisConnectionException ex) when (!ex.CommandMayHaveRun
            && (reachedSome || !pending.All(p => p.Exception?.InnerException is RedisConnectionException { CommandMayHaveRun: false })))
        {
            // Going again would give some members the message twice: the send fails as one that may have run.
            throw new RedisConnectionException($"The group send to '{group}' reached some of its members before the connection to Redis was lost: {ex.Message}", ex);
        }

        for (var d = 0; d < deliveries.Length; d++)
        {
            var (channels, inboxes) = (deliveries[d].Plain, deliveries[d].Inboxes);
            for (var i = 0; i < channels.Count; i++)
            {
                tally.Add(channels[i], 1, results[d][i]);
            }

            for (var i = 0; i < inboxes.Count; i++)
            {
                TallyInbox(tally, inboxes[i].NonLocalPart, inboxes[i].Members, results[d][channels.Count + i]);
            }
        }

        return Tallied(group, message, tally);

        ShardDelivery For(string name, RedisKey key)
        {
            var shard = _ring.GetShard(name);
            var slot = _shards[shard].IsCluster ? ClusterSlot.Of(key!) : 0;
            if (!byShard.TryGetValue((shard, slot), out var delivery))
            {
                byShard[(shard, slot)] = delivery = new ShardDelivery(shard);
            }

            return delivery;
        }
    }

    private GroupSendResult Tallied(string group, ChannelMessage message, GroupSendTally tally)
    {
        if (tally.Skipped is not null)
        {
            LogSkippedFullMembers(group, message, tally.Skipped.Count);
        }

        return new GroupSendResult(tally.Delivered, tally.SkippedCount);
    }

    // A process whose inbox holds messages nobody took in time stays in the group too (a channel leaves its groups only
    // by the group expiry or a discard): its inbox drops what expires, and InboxCapacity bounds it meanwhile.
    // (The name for the log is made only for an inbox that was full.)
    private static void TallyInbox(GroupSendTally tally, string nonLocalPart, int members, long result) =>
        tally.Add(result == 0 ? $"{nonLocalPart}* ({members} members, inbox full)" : nonLocalPart, members, result);

    // A send to a process-local channel queues it in its process's inbox, counted against the channel's capacity.
    private async Task SendToInboxAsync(string channel, byte[] entry, long now, CancellationToken cancellationToken)
    {
        var bang = channel.IndexOf(ChannelNames.ProcessLocalSeparator, StringComparison.Ordinal);
        var nonLocalPart = channel[..(bang + 1)];
        var capacity = Options.GetCapacity(channel);
        var delivery = new ShardDelivery(_ring.GetShard(nonLocalPart));
        delivery.Inboxes.Add(new InboxTarget(nonLocalPart, channel[(bang + 1)..], capacity, 1));
        var results = await DeliverAsync(delivery, entry, now, group: false, cancellationToken).ConfigureAwait(false);
        if (results[0] == 0)
        {
            throw new ChannelFullException(channel, capacity);
        }
    }

    /// <summary>Runs <see cref="LayerScripts.Deliver"/> on one shard; returns one result per plain channel, then per inbox.</summary>
    private async Task<long[]> DeliverAsync(ShardDelivery delivery, byte[] entry, long now, bool group, CancellationToken cancellationToken)
    {
        var keys = new RedisKey[delivery.Plain.Count + (2 * delivery.Inboxes.Count)];
        var arguments = new List<RedisValue>(6 + delivery.Plain.Count + (3 * delivery.Inboxes.Count)) { now, ExpiryMs, entry, group ? 1L : 0L, (long)delivery.Plain.Count };
        for (var i = 0; i < delivery.Plain.Count; i++)
        {
            keys[i] = _keys.Channel(delivery.Plain[i]);
            arguments.Add((long)Options.GetCapacity(delivery.Plain[i]));
        }

        arguments.Add((long)_redisOptions.InboxCapacity);
        List<(ProcessInbox Inbox, Dictionary<string, int> Changes)>? carried = null;
        for (var i = 0; i < delivery.Inboxes.Count; i++)
        {
            var target = delivery.Inboxes[i];
            keys[delivery.Plain.Count + (2 * i)] = _keys.Inbox(target.NonLocalPart);
            keys[delivery.Plain.Count + (2 * i) + 1] = _keys.InboxCounts(target.NonLocalPart);
            arguments.Add(target.Head);
            arguments.Add((long)target.Capacity);

            // This process's receives made room in its own inbox's channels: the send carries the changes not yet
            // reported, so the counts it meets are current without a round trip of their own.
            var changes = _inboxes.TryGetValue(target.NonLocalPart, out var inbox) ? await inbox.TakeChangesAsync().ConfigureAwait(false) : null;
            arguments.Add((long)(changes?.Count ?? 0));
            foreach (var (suffix, change) in changes ?? [])
            {
                arguments.Add(suffix);
                arguments.Add((long)change);
            }

            if (changes is not null)
            {
                (carried ??= []).Add((inbox!, changes));
            }
        }

        RedisResult reply;
        try
        {
            reply = await LayerScripts.Deliver.EvaluateAsync(_shards[delivery.Shard], keys, [.. arguments], cancellationToken).ConfigureAwait(false);
        }
        catch (RedisConnectionException ex) when (!ex.CommandMayHaveRun && carried is not null)
        {
            // Never reached Redis: the changes go back to be reported (or carried) later.
            foreach (var (inbox, changes) in carried)
            {
                inbox.ReturnChanges(changes);
            }

            throw;
        }

        var results = reply[0].Items!.Select(r => r.AsInteger()).ToArray();

        // Messages that expired unread on the way are counted and logged; their channels stay in their groups.
        var plainExpired = reply[2].Items!;
        for (var i = 0; i < delivery.Plain.Count; i++)
        {
            if (plainExpired[i].AsInteger() is > 0 and var count)
            {
                OnMessagesExpired(delivery.Plain[i], (int)count);
            }
        }

        var expired = reply[1].Items!;
        for (var i = 0; i + 2 < expired.Length; i += 3)
        {
            var nonLocalPart = delivery.Inboxes[(int)expired[i].AsInteger() - 1].NonLocalPart;
            OnMessagesExpired(nonLocalPart + expired[i + 1].AsString(), (int)expired[i + 2].AsInteger());
        }

        return results;
    }

    /// <summary>One entry for a process inbox: its head (a local part, or <c>@group,version</c>), the capacity a send checks, how many members it stands for.</summary>
    private readonly record struct InboxTarget(string NonLocalPart, string Head, int Capacity, int Members);

    /// <summary>How a group send went: members reached, skipped because full (named for the log), and considered.</summary>
    private sealed class GroupSendTally
    {
        public int Delivered { get; private set; }

        public int SkippedCount { get; private set; }

        public int Considered { get; private set; }

        public List<string>? Skipped { get; private set; }

        /// <summary>Counts a script result (1 queued, 0 full) for <paramref name="members"/> members.</summary>
        public void Add(string name, int members, long result)
        {
            Considered += members;
            if (result == 1)
            {
                Delivered += members;
            }
            else if (result == 0)
            {
                (Skipped ??= []).Add(name);
                SkippedCount += members;
            }
        }
    }

    /// <summary>What one send or group send queues on one shard (one hash slot of it on a cluster), in the order the script answers for it.</summary>
    private sealed class ShardDelivery(int shard)
    {
        public int Shard => shard;

        public List<string> Plain { get; } = [];

        public List<InboxTarget> Inboxes { get; } = [];
    }
}
