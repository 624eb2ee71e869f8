using Microsoft.Extensions.Logging;

namespace Switchyard.Internal;

/// <summary>
/// Aggregates the "group send skipped full members" warnings of one layer: the first skip of a group logs at once,
/// later ones within <see cref="Interval"/> are summed and logged as one line per group when the interval ends. A burst
/// that skips members on thousands of sends gives a handful of lines, each with the counts.
/// </summary>
internal sealed class GroupSkipLog
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastLogged = new(StringComparer.Ordinal);
    private ITimer? _timer;

    public GroupSkipLog(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    public void Record(string group, string messageType, int skipped)
    {
        if (skipped <= 0 || !_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (!_lastLogged.TryGetValue(group, out var last) || _time.GetElapsedTime(last, now) >= Interval)
            {
                _lastLogged[group] = now;
                ChannelLayerLog.GroupMembersSkippedFull(_logger, group, skipped, 1, messageType, Interval);
                return;
            }

            _pending[group] = _pending.TryGetValue(group, out var pending)
                ? pending with { Skipped = pending.Skipped + skipped, Sends = pending.Sends + 1 }
                : new Pending(skipped, 1, messageType);
            _timer ??= _time.CreateTimer(static state => ((GroupSkipLog)state!).Flush(), this, Interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Logs what is pending now (the timer, and the layer's close).</summary>
    public void Flush()
    {
        KeyValuePair<string, Pending>[] due;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            due = [.. _pending];
            _pending.Clear();
            var now = _time.GetTimestamp();
            foreach (var (group, _) in due)
            {
                _lastLogged[group] = now;
            }

            // Groups quiet for a whole interval are forgotten, so the table does not grow with every group ever seen.
            foreach (var (group, last) in _lastLogged.ToArray())
            {
                if (_time.GetElapsedTime(last, now) >= Interval)
                {
                    _lastLogged.Remove(group);
                }
            }
        }

        foreach (var (group, pending) in due)
        {
            ChannelLayerLog.GroupMembersSkippedFull(_logger, group, pending.Skipped, pending.Sends, pending.LastMessageType, Interval);
        }
    }

    private readonly record struct Pending(int Skipped, int Sends, string LastMessageType);
}
