using Xunit;

namespace Switchyard.Client.Tests.Support;

/// <summary>Records a client's state changes, for assertions and for tests to wait on (with a timeout).</summary>
public sealed class StateRecorder
{
    private readonly Lock _gate = new();
    private readonly List<SwitchyardClientStateChangedEventArgs> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StateRecorder(SwitchyardClient client) => client.StateChanged += (_, e) =>
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _events.Add(e);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    };

    public IReadOnlyList<SwitchyardClientStateChangedEventArgs> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<SwitchyardClientState> States => [.. Events.Select(e => e.State)];

    /// <summary>The states so far with why each connection ended, for a failure message.</summary>
    public string Describe() =>
        string.Join(", ", Events.Select(e => e.Error is null ? $"{e.State}" : $"{e.State} ({e.Error.GetType().Name}: {e.Error.Message})"));

    /// <summary>Waits until the <paramref name="count"/>-th event of <paramref name="state"/> was raised, and returns it.</summary>
    public async Task<SwitchyardClientStateChangedEventArgs> WaitForAsync(SwitchyardClientState state, int count = 1, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var seen = _events.Where(e => e.State == state).ToList();
                if (seen.Count >= count)
                {
                    return seen[count - 1];
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No {state} (#{count}) within the timeout; states: [{string.Join(", ", States)}].");
            }
        }
    }
}
