using System.Collections.Concurrent;

namespace Switchyard.Client.TestServer;

/// <summary>
/// Named gates the tests open over HTTP (<c>PUT /test/gates/{name}</c> shuts one, <c>POST</c> opens it), so that a handler or a connect waits on the
/// test instead of on a clock: <see cref="Close"/> shuts one, <see cref="PassAsync"/> waits at it while it is shut.
/// </summary>
public sealed class Gates
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _shut = new(StringComparer.Ordinal);

    /// <summary>Shuts the gate <paramref name="name"/> (it stays shut until opened).</summary>
    /// <param name="name">The gate.</param>
    public void Close(string name) =>
        _shut.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Opens the gate <paramref name="name"/>, letting everyone waiting at it through.</summary>
    /// <param name="name">The gate.</param>
    /// <returns>Whether it was shut.</returns>
    public bool Open(string name)
    {
        if (!_shut.TryRemove(name, out var gate))
        {
            return false;
        }

        gate.TrySetResult();
        return true;
    }

    /// <summary>Returns at once when the gate is open, else when it is opened or <paramref name="within"/> has passed.</summary>
    /// <param name="name">The gate.</param>
    /// <param name="within">The longest wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Whether the gate was open (or opened) rather than the wait running out.</returns>
    public async Task<bool> PassAsync(string name, TimeSpan within, CancellationToken cancellationToken)
    {
        if (!_shut.TryGetValue(name, out var gate))
        {
            return true;
        }

        try
        {
            await gate.Task.WaitAsync(within, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
