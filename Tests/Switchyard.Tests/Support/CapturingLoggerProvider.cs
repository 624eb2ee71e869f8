using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchyard.Tests.Support;

/// <summary>Captures every log event, for assertions on event names and messages.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<LogRecord> _records = new();
    private readonly List<(string EventName, TaskCompletionSource Seen)> _waiters = [];

    public IReadOnlyCollection<LogRecord> Records => _records;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public IEnumerable<LogRecord> WithEvent(string eventName) => _records.Where(r => r.EventName == eventName);

    /// <summary>Waits until an event named <paramref name="eventName"/> has been logged (at once if one was).</summary>
    public async Task WaitForEventAsync(string eventName, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((eventName, seen));
        }

        if (WithEvent(eventName).Any())
        {
            seen.TrySetResult();
        }

        await seen.Task.WaitAsync(timeout);
    }

    public void Dispose()
    {
    }

    public sealed record LogRecord(string Category, LogLevel Level, string? EventName, string Message, Exception? Exception);

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._records.Enqueue(new LogRecord(category, logLevel, eventId.Name, formatter(state, exception), exception));
            lock (owner._waiters)
            {
                foreach (var (eventName, seen) in owner._waiters)
                {
                    if (eventName == eventId.Name)
                    {
                        seen.TrySetResult();
                    }
                }
            }
        }
    }
}
