using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchyard.Redis.Tests.PubSub;

/// <summary>A logger factory that records every event and lets a test wait for one (a signal, not a sleep).</summary>
internal sealed class SignalingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<(EventId Id, string Message)> _events = new();
    private readonly Lock _lock = new();
    private readonly List<(Func<EventId, string, bool> Match, TaskCompletionSource<string> Signal)> _waiters = [];

    public IReadOnlyCollection<(EventId Id, string Message)> Events => _events;

    /// <summary>Returns a task that completes with the message of the first event (from now on) named <paramref name="eventName"/>.</summary>
    public Task<string> WaitForAsync(string eventName, Func<string, bool>? match = null)
    {
        var signal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _waiters.Add(((id, message) => id.Name == eventName && (match?.Invoke(message) ?? true), signal));
        }

        return signal.Task;
    }

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        _events.Enqueue((eventId, message));
        lock (_lock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(eventId, message))
                {
                    _waiters[i].Signal.TrySetResult(message);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public void Dispose()
    {
    }
}
