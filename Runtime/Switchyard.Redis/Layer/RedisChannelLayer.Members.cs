using System.Globalization;
using StackExchange.Redis;
using Switchyard.Redis.Connections;

namespace Switchyard.Redis;

/// <content>A group's members, counted and listed: read on the group's shard, nothing changed.</content>
public sealed partial class RedisChannelLayer
{
    // Separates the parts of a listing cursor: no channel name or process part contains it.
    private const char CursorSeparator = '\n';

    /// <inheritdoc />
    /// <remarks>One script on the group's shard: a <c>ZCOUNT</c> of the plain members, and one per process with local
    /// members in the group (O(log N) each).</remarks>
    protected override async ValueTask<long> GroupMemberCountCoreAsync(string group, CancellationToken cancellationToken)
    {
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var reply = await LayerScripts.GroupMemberCount.EvaluateAsync(
                ShardOf(group),
                [_keys.Group(group), _keys.GroupProcesses(group)],
                [GroupCutoff(), _keys.GroupMembersPrefix(group)],
                cancellationToken)
            .ConfigureAwait(false);
        return reply.AsInteger();
    }

    /// <inheritdoc />
    /// <remarks>
    /// One script on the group's shard per page: the plain members, then each process's local members, each in join
    /// order. The cursor is the position of the page's last member. A member that joins the group again during the
    /// listing moves to the end of its set, so it may be listed twice.
    /// </remarks>
    protected override async ValueTask<GroupMemberPage> GroupMembersCoreAsync(string group, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        var (source, score, member) = ReadCursor(cursor);
        await WhenStartedAsync(cancellationToken).ConfigureAwait(false);
        var reply = (await LayerScripts.GroupMemberPage.EvaluateAsync(
                ShardOf(group),
                [_keys.Group(group), _keys.GroupProcesses(group)],
                [GroupCutoff(), _keys.GroupMembersPrefix(group), source, score, member, pageSize],
                cancellationToken)
            .ConfigureAwait(false)).Items!;
        var count = Math.Min(reply.Length / 3, pageSize);
        var channels = new string[count];
        for (var i = 0; i < count; i++)
        {
            channels[i] = reply[3 * i].AsString()!;
        }

        if (reply.Length / 3 <= pageSize)
        {
            return new GroupMemberPage(channels, null);
        }

        // The last member of this page: its set, its score, and its name in that set.
        var last = 3 * (count - 1);
        var lastSource = reply[last + 1].AsString()!;
        var lastMember = channels[^1][lastSource.Length..];
        return new GroupMemberPage(channels, string.Join(CursorSeparator, lastSource, reply[last + 2].AsString(), lastMember));
    }

    private long GroupCutoff() => NowMs - (long)Options.GroupExpiry.TotalMilliseconds;

    private static (string Source, string Score, string Member) ReadCursor(string? cursor)
    {
        if (cursor is null)
        {
            return ("", "", "");
        }

        var parts = cursor.Split(CursorSeparator);
        if (parts.Length != 3 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _) || parts[2].Length == 0)
        {
            throw new ArgumentException("The cursor is not one this layer's group member listing gave: pass the NextCursor of the previous page, or null for the first page.", nameof(cursor));
        }

        return (parts[0], parts[1], parts[2]);
    }
}
