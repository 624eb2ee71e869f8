using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

/// <content>
/// Group history: a stream per group (entry ids are the offsets) and a small hash with its epoch and latest offset,
/// both in the group's slot, so one script appends and one reads, on the group's shard.
/// </content>
public sealed partial class RedisChannelLayer
{
    /// <inheritdoc />
    /// <remarks>One read-only-in-effect script on the group's shard (it makes the history's epoch when there is none).</remarks>
    protected override async ValueTask<GroupHistory> GroupHistoryCoreAsync(string group, GroupHistoryRule rule, GroupPosition? since, CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var reply = (await LayerScripts.GroupHistoryRead.EvaluateAsync(
                ShardOf(group),
                [_keys.GroupHistory(group), _keys.GroupHistoryState(group)],
                [NewEpoch(), since?.Epoch ?? string.Empty, since?.Offset ?? 0, NowMs, rule.MaxCount, (long)rule.MaxAge.TotalMilliseconds, GroupHistoryLifetimeMs],
                cancellationToken)
            .ConfigureAwait(false)).Items!;
        var epoch = reply[0].AsString()!;
        var latest = new GroupPosition(epoch, reply[1].AsInteger());
        var loss = (int)reply[2].AsInteger() switch
        {
            0 => GroupHistoryLoss.None,
            1 => GroupHistoryLoss.EpochChanged,
            _ => GroupHistoryLoss.Trimmed,
        };
        var entries = reply[3].Items!;
        var messages = new ChannelMessage[entries.Length / 2];
        for (var i = 0; i < messages.Length; i++)
        {
            var offset = long.Parse(entries[2 * i].AsString()!, NumberStyles.None, CultureInfo.InvariantCulture);
            var (message, _) = Envelope.Decode((byte[]?)entries[(2 * i) + 1] ?? [], _encryption);
            messages[i] = WithGroupPosition(message, group, new GroupPosition(epoch, offset));
        }

        return new GroupHistory(messages, latest, loss);
    }

    // Gives a group send its position: appended to the history first (one script on the group's shard), then delivered
    // with its position headers. A delivery that fails after the append leaves the message in the history only.
    private async ValueTask<ChannelMessage> AppendToHistoryAsync(string group, GroupHistoryRule rule, ChannelMessage message, CancellationToken cancellationToken)
    {
        var now = NowMs;
        var reply = (await LayerScripts.GroupHistoryAppend.EvaluateAsync(
                ShardOf(group),
                [_keys.GroupHistory(group), _keys.GroupHistoryState(group)],
                [NewEpoch(), now, rule.MaxCount, (long)rule.MaxAge.TotalMilliseconds, GroupHistoryLifetimeMs, Envelope.Encode(message, 0, _encryption)],
                cancellationToken)
            .ConfigureAwait(false)).Items!;
        return WithGroupPosition(message, group, new GroupPosition(reply[0].AsString()!, reply[1].AsInteger()));
    }

    // A group send to a history group appends and delivers in one script when every key is on one server and the entry
    // is not sealed (the script writes the position into it); otherwise the append is a round trip of its own first.
    private bool SendsWithHistoryInOneTrip => _encryption is null && _shards.Length == 1 && !_shards[0].IsCluster;

    // The position header's value in an entry before the script knows the offset: as long as every position it writes
    // (16 hex digits of epoch, ':', 19 digits of offset), and random per layer, so no other bytes of the entry match it.
    private readonly string _positionPlaceholder = "~" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18))[..35];

    // What the script did to its copy of the entry, done to this one: the placeholder replaced with the position.
    private void WritePosition(byte[] entry, GroupPosition position)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{position.Epoch}:{position.Offset:D19}");
        var placeholder = Encoding.ASCII.GetBytes(_positionPlaceholder);
        var at = entry.AsSpan(Envelope.ExpiryDigits).IndexOf(placeholder);
        if (at < 0 || text.Length != placeholder.Length)
        {
            throw new RedisLayerException($"A group send's entry has no position placeholder, or the position '{text}' does not fit it.");
        }

        Encoding.ASCII.GetBytes(text, entry.AsSpan(Envelope.ExpiryDigits + at));
    }

    // A history's epoch and latest offset outlive its messages for the group expiry after the last send or read.
    private long GroupHistoryLifetimeMs => (long)Options.GroupExpiry.TotalMilliseconds;

    // Used only when the group has no history state yet; 64 random bits, so an epoch never comes back.
    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
