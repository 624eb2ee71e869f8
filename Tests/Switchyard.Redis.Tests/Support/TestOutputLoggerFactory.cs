using Microsoft.Extensions.Logging;
using Xunit;

namespace Switchyard.Redis.Tests.Support;

/// <summary>
/// A logger factory that writes the layer's warnings and errors to the output of the test that made it, so a test that
/// fails on a loaded machine shows what the layer saw (a failed SUBSCRIBE, a reconnect) next to its assertion.
/// </summary>
internal sealed class TestOutputLoggerFactory(ITestOutputHelper? output) : ILoggerFactory, ILogger
{
    /// <summary>Gets a factory writing to the current test's output (none outside a test).</summary>
    public static TestOutputLoggerFactory ForCurrentTest() => new(TestContext.Current.TestOutputHelper);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => output is not null && logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        try
        {
            output!.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {eventId.Name}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
        }
        catch (InvalidOperationException)
        {
            // The test has ended (a layer closing after it): its output is gone.
        }
    }

    public void Dispose()
    {
    }
}
