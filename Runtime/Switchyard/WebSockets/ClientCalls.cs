using System.Collections.Concurrent;

namespace Switchyard;

/// <summary>
/// A connection's calls to its client that wait for an answer (<c>$id</c> sent, <c>$re</c> awaited). Answers are
/// matched here when they arrive, by the connection's receive loop and not in turn with the handlers, so a handler
/// that awaits its client does not wait on itself.
/// </summary>
internal sealed class ClientCalls
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _pending = new();
    private long _lastId;
    private Exception? _closed;
    private TaskCompletionSource? _opened;

    /// <summary>Gets whether a call waits for its answer.</summary>
    public bool Waiting => !_pending.IsEmpty;

    /// <summary>Returns a task that completes when a call is opened (at once if one waits now).</summary>
    /// <returns>The task.</returns>
    public Task WhenWaiting()
    {
        var opened = Volatile.Read(ref _opened);
        if (opened is null)
        {
            opened = Interlocked.CompareExchange(ref _opened, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null) ?? _opened!;
        }

        // A call opened before the source was there: complete it now.
        if (Waiting)
        {
            Signal();
        }

        return opened.Task;
    }

    private void Signal() => Interlocked.Exchange(ref _opened, null)?.TrySetResult();

    /// <summary>Opens a call: its id and the task that completes with the answer's bytes.</summary>
    /// <returns>The id to send and the answer to await.</returns>
    /// <exception cref="ClientCallException">The connection has closed.</exception>
    public (long Id, Task<byte[]> Answer) Open()
    {
        var id = Interlocked.Increment(ref _lastId);
        var answer = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        if (Volatile.Read(ref _closed) is { } closed)
        {
            // Closed between the check and the add: the close pass may have missed this one.
            _pending.TryRemove(id, out _);
            throw new ClientCallException(closed.Message);
        }

        Signal();
        return (id, answer.Task);
    }

    /// <summary>Forgets a call that timed out or was cancelled: a late answer is then dropped.</summary>
    /// <param name="id">The call's id.</param>
    public void Forget(long id) => _pending.TryRemove(id, out _);

    /// <summary>Hands an answer to its call.</summary>
    /// <param name="id">The <c>$re</c> of the answer.</param>
    /// <param name="answer">The answer's bytes, copied (the receive buffer is reused).</param>
    /// <returns><see langword="false"/> when no call waits for it (it timed out, or was never made).</returns>
    public bool Complete(long id, ReadOnlySpan<byte> answer) =>
        _pending.TryRemove(id, out var call) && call.TrySetResult(answer.ToArray());

    /// <summary>Fails every waiting call, and every later one: the connection has closed.</summary>
    public void Close()
    {
        var closed = new ClientCallException("the connection closed before the client answered");
        if (Interlocked.CompareExchange(ref _closed, closed, null) is not null)
        {
            return;
        }

        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var call))
            {
                call.TrySetException(closed);
            }
        }
    }
}
