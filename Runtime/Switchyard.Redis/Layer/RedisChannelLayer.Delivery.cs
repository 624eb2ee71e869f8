using Switchyard.Redis.Layer;
using Switchyard.Redis.Resp;

namespace Switchyard.Redis;

public sealed partial class RedisChannelLayer
{
    /// <inheritdoc />
    protected override async ValueTask<GroupSendResult> GroupSendCoreAsync(string group, ChannelMessage message, CancellationToken cancellationToken)
    {
        var now = NowMs;
        var cutoff = now - (long)Options.GroupExpiry.TotalMilliseconds;
        var listed = await LayerScripts.GroupMembers.EvaluateAsync(ShardOf(group), [GroupKey(group)], [cutoff], cancellationToken).ConfigureAwait(false);
        if (listed.Items is not { Length: > 1 } reply)
        {
            return new GroupSendResult(0, 0);
        }

        // One script per shard, all shards at once; the message is encoded once, and the members that live in one
        // process get one entry between them in that process's inbox.
        var byShard = new Dictionary<int, ShardDelivery>();
        for (var i = 1; i < reply.Length; i++)
        {
            var member = reply[i].AsString()!;
            var shard = _ring.GetShard(member);
            if (!byShard.TryGetValue(shard, out var delivery))
            {
                byShard[shard] = delivery = new ShardDelivery(shard);
            }

            delivery.Add(member);
        }

        var entry = Envelope.Encode(message, now + ExpiryMs, _encryption);
        var deliveries = byShard.Values.ToArray();
        var results = await Task.WhenAll(deliveries.Select(d => DeliverAsync(d, entry, now, group: true, cancellationToken))).ConfigureAwait(false);

        var delivered = 0;
        List<string>? skipped = null;
        for (var d = 0; d < deliveries.Length; d++)
        {
            var members = deliveries[d].Members;
            for (var i = 0; i < members.Count; i++)
            {
                if (results[d][i] == 1)
                {
                    delivered++;
                }
                else if (results[d][i] == 0)
                {
                    (skipped ??= []).Add(members[i]);
                }

                // Negative: the member has gone (its messages expired unread) and got nothing; it has left its groups.
            }
        }

        if (skipped is not null)
        {
            LogSkippedFullMembers(group, message, reply.Length - 1, skipped);
        }

        return new GroupSendResult(delivered, skipped?.Count ?? 0);
    }

    // A send to a process-local channel queues it in its process's inbox, counted against the channel's capacity.
    private async Task SendToInboxAsync(string channel, byte[] entry, long now, CancellationToken cancellationToken)
    {
        var delivery = new ShardDelivery(_ring.GetShard(channel));
        delivery.Add(channel);
        var results = await DeliverAsync(delivery, entry, now, group: false, cancellationToken).ConfigureAwait(false);
        if (results[0] == 0)
        {
            throw new ChannelFullException(channel, Options.GetCapacity(channel));
        }
    }

    /// <summary>Runs <see cref="LayerScripts.Deliver"/> for one shard; returns one result per member (1 queued, 0 full, negative gone).</summary>
    private async Task<long[]> DeliverAsync(ShardDelivery delivery, byte[] entry, long now, bool group, CancellationToken cancellationToken)
    {
        var keys = new List<RedisArg>(delivery.Members.Count);
        var arguments = new List<RedisArg>(6 + (2 * delivery.Members.Count)) { now, ExpiryMs, entry, group ? 1L : 0L, (long)delivery.Plain.Count };
        foreach (var channel in delivery.Plain)
        {
            keys.Add(ChannelKey(channel));
            arguments.Add((long)Options.GetCapacity(channel));
        }

        foreach (var (nonLocalPart, channels) in delivery.Inboxes)
        {
            // This process's receives free capacity; report them first so the counts this send meets are current.
            if (_inboxes.TryGetValue(nonLocalPart, out var inbox) && inbox.HasUnreportedTakes)
            {
                await inbox.ReportTakenAsync().ConfigureAwait(false);
            }

            keys.Add(InboxKey(nonLocalPart));
            keys.Add(InboxCountsKey(nonLocalPart));
            arguments.Add((long)channels.Count);
            foreach (var channel in channels)
            {
                arguments.Add(channel[nonLocalPart.Length..]);
                arguments.Add((long)Options.GetCapacity(channel));
            }
        }

        var reply = await LayerScripts.Deliver.EvaluateAsync(_shards[delivery.Shard], keys, arguments, cancellationToken).ConfigureAwait(false);
        var results = reply.Items![0].Items!.Select(r => r.AsInteger()).ToArray();

        // A plain channel whose messages expired has gone: it leaves its groups. So has a local channel whose messages
        // expired in its inbox (nobody took them: its process is gone or stuck), whether or not it was a target.
        for (var i = 0; i < delivery.Plain.Count; i++)
        {
            if (results[i] < 0)
            {
                await ExpireChannelAsync(delivery.Plain[i], (int)-results[i]).ConfigureAwait(false);
            }
        }

        var expired = reply.Items[1].Items!;
        for (var i = 0; i + 2 < expired.Length; i += 3)
        {
            var nonLocalPart = delivery.Inboxes[(int)expired[i].AsInteger() - 1].NonLocalPart;
            await ExpireChannelAsync(nonLocalPart + expired[i + 1].AsString(), (int)expired[i + 2].AsInteger()).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>The members of one group send (or one send) that live on one shard, in the order the script answers for them.</summary>
    private sealed class ShardDelivery(int shard)
    {
        private readonly Dictionary<string, List<string>> _inboxIndex = new(StringComparer.Ordinal);
        private List<string>? _members;

        public int Shard => shard;

        public List<string> Plain { get; } = [];

        public List<(string NonLocalPart, List<string> Channels)> Inboxes { get; } = [];

        /// <summary>Gets the members: the plain channels, then each inbox's channels (read after the last <see cref="Add"/>).</summary>
        public List<string> Members => _members ??= [.. Plain, .. Inboxes.SelectMany(i => i.Channels)];

        public void Add(string channel)
        {
            var bang = channel.IndexOf(ChannelNames.ProcessLocalSeparator, StringComparison.Ordinal);
            if (bang < 0)
            {
                Plain.Add(channel);
                return;
            }

            var nonLocalPart = channel[..(bang + 1)];
            if (!_inboxIndex.TryGetValue(nonLocalPart, out var channels))
            {
                _inboxIndex[nonLocalPart] = channels = [];
                Inboxes.Add((nonLocalPart, channels));
            }

            channels.Add(channel);
        }
    }
}
