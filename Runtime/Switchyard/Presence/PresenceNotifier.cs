using Microsoft.Extensions.Logging;
using Switchyard.Internal;

namespace Switchyard;

/// <summary>
/// Gathers a layer's presence joins and leaves per group and tells each group's members in one
/// <see cref="PresenceEvent"/> per <see cref="ChannelLayerOptions.PresenceInterval"/>: the first change arms the timer,
/// and whatever changed until it fires goes out together (in pieces of at most <see cref="MaxMembersPerEvent"/>).
/// </summary>
internal sealed class PresenceNotifier(ChannelLayer layer, ILogger logger, TimeProvider time) : IAsyncDisposable
{
    /// <summary>The most joins plus leaves one event carries; more go in further events.</summary>
    public const int MaxMembersPerEvent = 500;

    // How long a closing layer tries to send what it gathered (a layer waiting for its backend does not hold up a shutdown).
    private static readonly TimeSpan CloseFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private Dictionary<string, Changes> _pending = new(StringComparer.Ordinal);
    private ITimer? _timer;
    private Task _flushing = Task.CompletedTask;
    private bool _disposed;

    public void Joined(string group, PresenceMember member, GroupPresenceRule rule) => Add(group, member, rule, joined: true);

    public void Left(string group, PresenceMember member, GroupPresenceRule rule) => Add(group, member, rule, joined: false);

    /// <summary>Sends what is gathered now, and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        Task flushing;
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            flushing = _flushing = _flushing.ContinueWith(_ => FlushWithinAsync(CloseFlushTimeout), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }

        await flushing.ConfigureAwait(false);
    }

    private void Add(string group, PresenceMember member, GroupPresenceRule rule, bool joined)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (!_pending.TryGetValue(group, out var changes))
            {
                _pending[group] = changes = new Changes();
            }

            if (!rule.CountsOnly)
            {
                (joined ? changes.Joins : changes.Leaves).Add(member);
            }

            _timer ??= time.CreateTimer(static state => ((PresenceNotifier)state!).OnTimer(), this, layer.Options.PresenceInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            _flushing = _flushing.ContinueWith(_ => FlushAsync(CancellationToken.None), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task FlushWithinAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await FlushAsync(deadline.Token).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, Changes> pending;
        lock (_lock)
        {
            pending = _pending;
            _pending = new Dictionary<string, Changes>(StringComparer.Ordinal);
        }

        foreach (var (group, changes) in pending)
        {
            try
            {
                if (layer.IsClosed)
                {
                    return;
                }

                var count = (layer.Capabilities & ChannelLayerCapabilities.GroupMemberCounts) != 0
                    ? await layer.GroupMemberCountAsync(group, cancellationToken).ConfigureAwait(false)
                    : -1;
                var joins = 0;
                var leaves = 0;
                do
                {
                    var joinTake = Math.Min(changes.Joins.Count - joins, MaxMembersPerEvent);
                    var leaveTake = Math.Min(changes.Leaves.Count - leaves, MaxMembersPerEvent - joinTake);
                    var presence = new PresenceEvent(group, count, changes.Joins.GetRange(joins, joinTake), changes.Leaves.GetRange(leaves, leaveTake));
                    joins += joinTake;
                    leaves += leaveTake;
                    await layer.GroupSendAsync(group, ChannelMessage.Create(presence), cancellationToken).ConfigureAwait(false);
                }
                while (joins < changes.Joins.Count || leaves < changes.Leaves.Count);
            }
            catch (Exception ex) when (ex is ChannelLayerException or OperationCanceledException or InvalidOperationException or NotSupportedException or ArgumentException)
            {
                ChannelLayerLog.PresenceEventFailed(logger, ex, group, changes.Joins.Count, changes.Leaves.Count);
            }
        }
    }

    private sealed class Changes
    {
        public List<PresenceMember> Joins { get; } = [];

        public List<PresenceMember> Leaves { get; } = [];
    }
}
