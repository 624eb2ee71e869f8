using System.Collections.Concurrent;

namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>Refuses one group and records every group it was asked about.</summary>
public sealed class RefusingGroupJoinFilter(string refused) : IGroupJoinFilter
{
    private readonly ConcurrentQueue<string> _asked = new();

    public IReadOnlyCollection<string> Asked => _asked;

    public ValueTask<bool> CanJoinAsync(ConsumerScope scope, string group, CancellationToken cancellationToken)
    {
        _asked.Enqueue(group);
        return ValueTask.FromResult(group != refused);
    }
}
