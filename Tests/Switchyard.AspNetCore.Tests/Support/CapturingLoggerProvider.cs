using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>Captures every log event, for assertions on event names.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();
    private TaskCompletionSource _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<LogRecord> All => _records;

    public IEnumerable<LogRecord> WithEvent(string eventName) => _records.Where(r => r.EventName == eventName);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Waits until an event named <paramref name="eventName"/> is logged; fails after <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<LogRecord> WaitForEventAsync(string eventName, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cts = new CancellationTokenSource(limit);
        while (true)
        {
            var logged = Volatile.Read(ref _logged).Task;
            if (WithEvent(eventName).FirstOrDefault() is { } record)
            {
                return record;
            }

            try
            {
                await logged.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No '{eventName}' log event within {limit}; logged: [{string.Join(", ", _records.Select(r => r.EventName))}].");
            }
        }
    }

    private void Add(LogRecord record)
    {
        _records.Enqueue(record);
        Interlocked.Exchange(ref _logged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public void Dispose()
    {
    }

    public sealed record LogRecord(string Category, LogLevel Level, string? EventName, string Message, Exception? Exception);

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogRecord(category, logLevel, eventId.Name, formatter(state, exception), exception));
    }
}
