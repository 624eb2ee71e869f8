using System.Collections.Concurrent;

namespace Switchyard.Client.Tests.Support;

/// <summary>Signals between a test and the server's handlers: a handler waits on a named gate until the test opens it.</summary>
public sealed class Gates
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _gates = new();
    private readonly ConcurrentDictionary<string, int> _entered = new();

    /// <summary>Waits until the gate <paramref name="key"/> is opened; returns the value it was opened with.</summary>
    public Task<string> WaitAsync(string key, CancellationToken cancellationToken)
    {
        _entered.AddOrUpdate(key, 1, (_, n) => n + 1);
        Gate(key + ":entered").TrySetResult(string.Empty);
        return Gate(key).Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits (at most 10 s) until a handler waits on the gate <paramref name="key"/>.</summary>
    public Task EnteredAsync(string key) => Gate(key + ":entered").Task.WaitAsync(TimeSpan.FromSeconds(10));

    public void Open(string key, string value = "") => Gate(key).TrySetResult(value);

    public int Entered(string key) => _entered.GetValueOrDefault(key);

    private TaskCompletionSource<string> Gate(string key) =>
        _gates.GetOrAdd(key, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
}
