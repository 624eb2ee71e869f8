using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>What test consumers report ("disconnect:1000", "connected:ws!abc"), for tests to wait on with a timeout.</summary>
public sealed class ConsumerEvents
{
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> _seen = new();

    public IReadOnlyCollection<string> Seen => _seen;

    public void Add(string @event)
    {
        _seen.Enqueue(@event);
        _events.Writer.TryWrite(@event);
    }

    /// <summary>Waits for the next event starting with <paramref name="prefix"/>; fails after <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<string> WaitForAsync(string prefix, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(cts.Token);
                if (next.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No event starting with '{prefix}' within {timeout ?? TimeSpan.FromSeconds(10)}; seen: [{string.Join(", ", _seen)}].");
        }
    }
}
