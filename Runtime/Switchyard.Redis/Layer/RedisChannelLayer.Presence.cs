using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;
using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

/// <content>
/// Presence: per group, in its slot, a hash of the members' data, their names in order, and the time each member's
/// presence runs out. Every process renews its own members each third of <see cref="ChannelLayerOptions.PresenceTimeout"/>
/// and, in the same script, removes members whose time ran out — a dead process's — from the group, and tells the
/// group they left.
/// </content>
public sealed partial class RedisChannelLayer
{
    // This process's present members: group → channels.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _presence = new(StringComparer.Ordinal);
    private ITimer? _presenceRenewal;
    private int _renewing;

    /// <inheritdoc />
    /// <remarks>One script on the group's shard, which also renews this process's members of the group and removes the timed-out ones.</remarks>
    protected override async ValueTask PresenceAddCoreAsync(string group, PresenceMember member, CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var channels = _presence.GetOrAdd(group, static _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
        channels[member.Channel] = 0;
        // The join adds only its own member (and removes timed-out ones): renewing every member of this process at each
        // join would make filling a group quadratic; the renewal timer renews them all each third of the timeout.
        await UpkeepAsync(group, member, [], cancellationToken).ConfigureAwait(false);
        if (_presenceRenewal is null)
        {
            var period = Options.PresenceTimeout / 3;
            var timer = TimeProvider.CreateTimer(static state => _ = ((RedisChannelLayer)state!).RenewPresenceAsync(), this, period, period);
            if (Interlocked.CompareExchange(ref _presenceRenewal, timer, null) is not null)
            {
                timer.Dispose();
            }
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<PresenceMember?> PresenceRemoveCoreAsync(string group, string channel, CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        if (_presence.TryGetValue(group, out var channels))
        {
            channels.TryRemove(channel, out _);
        }

        var data = await LayerScripts.PresenceLeave.EvaluateAsync(ShardOf(group), PresenceKeys(group), [channel], cancellationToken).ConfigureAwait(false);
        return data.IsNull ? null : DecodeMember(channel, (byte[])data!);
    }

    /// <inheritdoc />
    protected override async ValueTask<PresencePage> GroupPresenceCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var reply = (await LayerScripts.PresencePage.EvaluateAsync(ShardOf(group), PresenceKeys(group), [cursor ?? string.Empty, pageSize], cancellationToken)
            .ConfigureAwait(false)).Items!;
        var now = NowMs;
        var names = reply.Length / 3;
        var members = new List<PresenceMember>(Math.Min(names, pageSize));
        for (var i = 0; i < Math.Min(names, pageSize); i++)
        {
            var data = (byte[]?)reply[(3 * i) + 1];
            if (data is { Length: > 0 } && long.Parse(reply[(3 * i) + 2].AsString()!, NumberStyles.Float, CultureInfo.InvariantCulture) >= now)
            {
                members.Add(DecodeMember(reply[3 * i].AsString()!, data));
            }
        }

        return new PresencePage(members, names > pageSize ? reply[3 * (pageSize - 1)].AsString() : null);
    }

    // Each third of the presence timeout: this process's members are renewed, and timed-out ones of its groups removed.
    private async Task RenewPresenceAsync()
    {
        if (IsClosed || Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var (group, channels) in _presence)
            {
                if (channels.IsEmpty)
                {
                    _presence.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, byte>>(group, channels));
                    continue;
                }

                try
                {
                    await UpkeepAsync(group, joining: null, channels.Keys.ToArray(), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ChannelLayerException or RedisException or ObjectDisposedException)
                {
                    // Redis is away or the layer is closing: the next round tries again, well within the timeout.
                }
            }
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    // One upkeep script: the joining member added (if any), the members given renewed, the timed-out ones removed.
    private async Task UpkeepAsync(string group, PresenceMember? joining, string[] own, CancellationToken cancellationToken)
    {
        var now = NowMs;
        var arguments = new RedisValue[6 + own.Length];
        arguments[0] = _keys.GroupMembersPrefix(group);
        arguments[1] = now;
        arguments[2] = now + (long)Options.PresenceTimeout.TotalMilliseconds;
        arguments[3] = (long)Options.GroupExpiry.TotalMilliseconds;
        arguments[4] = joining?.Channel ?? string.Empty;
        arguments[5] = joining is null ? RedisValue.EmptyString : joining.ToBytes();
        for (var i = 0; i < own.Length; i++)
        {
            arguments[6 + i] = own[i];
        }

        var removed = (await LayerScripts.PresenceUpkeep.EvaluateAsync(
                ShardOf(group),
                [_keys.Group(group), _keys.GroupProcesses(group), _keys.GroupVersions(group), .. PresenceKeys(group)],
                arguments,
                cancellationToken)
            .ConfigureAwait(false)).Items!;
        if (removed.Length == 0)
        {
            return;
        }

        var members = new List<PresenceMember>(removed.Length / 2);
        for (var i = 0; i + 1 < removed.Length; i += 2)
        {
            var channel = removed[i].AsString()!;
            members.Add((byte[]?)removed[i + 1] is { Length: > 0 } data ? DecodeMember(channel, data) : new PresenceMember(channel, null, null, default));
        }

        OnPresenceTimedOut(group, members);
    }

    private RedisKey[] PresenceKeys(string group) => [_keys.PresenceData(group), _keys.PresenceNames(group), _keys.PresenceDeadlines(group)];

    private static PresenceMember DecodeMember(string channel, byte[] data)
    {
        try
        {
            return PresenceMember.FromBytes(channel, data);
        }
        catch (FormatException)
        {
            // Not written by this layer: the member is listed without its data rather than failing the listing.
            return new PresenceMember(channel, null, null, default);
        }
    }
}
