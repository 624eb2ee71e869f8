using System.Collections.Concurrent;
using System.Diagnostics;

namespace Switchyard.Tests.Support;

/// <summary>
/// Listens to Switchyard's <see cref="ActivitySource"/> and keeps the spans that ended in one trace: the test's own, so
/// tests running in parallel (whose spans this listener sees too) never see each other's.
/// </summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ActivityListener _listener;
    private readonly Activity? _root;

    /// <summary>Starts listening, and starts the trace whose spans are kept (the ambient activity until disposed).</summary>
    public SpanCollector()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SwitchyardDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Spans of other tests may end before this trace has started.
                if (_root is { } root && activity.TraceId == root.TraceId)
                {
                    _stopped.Enqueue(activity);
                    _signal.Release();
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _root = new Activity("switchyard-test").SetIdFormat(ActivityIdFormat.W3C).Start();
    }

    private Activity Root => _root!;

    /// <summary>Gets the trace the kept spans belong to.</summary>
    public ActivityTraceId TraceId => Root.TraceId;

    /// <summary>Gets the span that is the parent of the spans the test starts directly.</summary>
    public ActivitySpanId RootSpanId => Root.SpanId;

    /// <summary>Gets the spans of the trace that have ended, in the order they ended.</summary>
    public IReadOnlyCollection<Activity> Stopped => _stopped;

    /// <summary>Waits, with a timeout, until a span of <paramref name="kind"/> has ended, and returns the first such.</summary>
    public async Task<Activity> WaitForAsync(ActivityKind kind, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_stopped.FirstOrDefault(a => a.Kind == kind) is { } found)
            {
                return found;
            }

            try
            {
                await _signal.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {kind} span ended within {timeout}; ended: {string.Join(", ", _stopped.Select(a => a.DisplayName))}.");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Root.Stop();
        _listener.Dispose();
        _signal.Dispose();
    }
}
