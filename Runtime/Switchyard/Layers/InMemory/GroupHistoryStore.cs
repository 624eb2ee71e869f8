using System.Security.Cryptography;

namespace Switchyard;

/// <summary>
/// The histories of the in-memory layer's groups (<see cref="ChannelLayerOptions.GroupHistory"/>): per group an epoch
/// made when the history is first needed, the latest offset, and the latest messages, bounded by count and age.
/// A history idle (no send, no read) for longer than the group expiry is forgotten with its epoch.
/// </summary>
internal sealed class GroupHistoryStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, GroupHistoryLog> _histories = new(StringComparer.Ordinal);

    /// <summary>Returns the history of <paramref name="group"/>, made now when it has none.</summary>
    public GroupHistoryLog Get(string group, long now)
    {
        lock (_lock)
        {
            if (!_histories.TryGetValue(group, out var history))
            {
                _histories[group] = history = new GroupHistoryLog(group, NewEpoch());
            }

            history.LastUsed = now;
            return history;
        }
    }

    /// <summary>Forgets the histories not used since <paramref name="idleSince"/>, and trims the others' aged messages.</summary>
    public void Sweep(long idleSince, Func<string, long> cutoffOf)
    {
        lock (_lock)
        {
            foreach (var (group, history) in _histories)
            {
                if (history.LastUsed <= idleSince)
                {
                    _histories.Remove(group);
                }
                else
                {
                    history.Trim(cutoffOf(group), maxCount: int.MaxValue);
                }
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _histories.Clear();
        }
    }

    // 64 random bits: a new layer (a restarted process) never takes up an old epoch.
    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
