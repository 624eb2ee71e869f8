using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>Captures every log event, for assertions on event names and for tests to wait on with a timeout.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<LogRecord> All => _records;

    public IEnumerable<LogRecord> WithEvent(string eventName) => _records.Where(r => r.EventName == eventName);

    /// <summary>Waits until an event named <paramref name="eventName"/> has been logged; fails after <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<LogRecord> WaitForAsync(string eventName, TimeSpan? timeout = null) =>
        (await WaitForCountAsync(eventName, 1, timeout))[0];

    /// <summary>Waits until <paramref name="count"/> events named <paramref name="eventName"/> have been logged; fails after <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<IReadOnlyList<LogRecord>> WaitForCountAsync(string eventName, int count, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Xunit.TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            // Taken before looking, so an event logged after the look completes it.
            var next = Volatile.Read(ref _next).Task;
            if (WithEvent(eventName).ToList() is var records && records.Count >= count)
            {
                return records;
            }

            try
            {
                await next.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!Xunit.TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Not {count} log event(s) '{eventName}' within {timeout ?? TimeSpan.FromSeconds(10)}; logged: [{string.Join(", ", _records.Select(r => r.EventName))}].");
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogRecord record)
    {
        _records.Enqueue(record);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
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
