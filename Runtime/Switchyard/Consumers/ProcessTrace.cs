using System.Diagnostics;

namespace Switchyard;

/// <summary>
/// What is recorded of one message a consumer handles: its <c>process</c> span (when someone listens to traces) and its
/// <c>messaging.process.duration</c> (when someone listens to the histogram). The default records nothing, so a
/// consumer nobody observes pays for neither.
/// </summary>
internal readonly struct ProcessTrace
{
    private readonly ConsumerMetrics? _metrics;
    private readonly string? _consumer;
    private readonly string? _messageType;
    private readonly string? _namedChannel;
    private readonly long _started;

    /// <summary>Starts recording.</summary>
    /// <param name="metrics">Where the duration goes.</param>
    /// <param name="consumer">The consumer's type name.</param>
    /// <param name="messageType">The message's type.</param>
    /// <param name="namedChannel">The duration's destination: the consumer's named channel the message came on, or <see langword="null"/>.</param>
    /// <param name="activity">The message's span, or <see langword="null"/>.</param>
    /// <param name="started">What <see cref="ConsumerMetrics.StartProcessing"/> returned.</param>
    public ProcessTrace(ConsumerMetrics metrics, string consumer, string messageType, string? namedChannel, Activity? activity, long started)
    {
        _metrics = metrics;
        _consumer = consumer;
        _messageType = messageType;
        _namedChannel = namedChannel;
        Activity = activity;
        _started = started;
    }

    /// <summary>Gets the message's span, or <see langword="null"/>.</summary>
    public Activity? Activity { get; }

    /// <summary>Ends the span and records the duration; with <paramref name="error"/>, as a failure of that kind.</summary>
    /// <param name="error">Why the handling failed, or <see langword="null"/>.</param>
    /// <param name="description">The span's error description, instead of the exception's message.</param>
    public void Done(Exception? error = null, string? description = null)
    {
        if (Activity is { } activity)
        {
            if (error is not null)
            {
                MessagingConventions.SetError(activity, error, description);
            }

            activity.Dispose();
        }

        _metrics?.Processed(_started, _consumer!, _messageType!, _namedChannel, error);
    }

    /// <summary>
    /// Ends the span of a message no handler took because it was refused before (a client's bad input), as an error of
    /// <paramref name="errorType"/>; records no duration, as no handler ran.
    /// </summary>
    /// <param name="errorType">The <c>error.type</c>.</param>
    /// <param name="description">Why it was refused.</param>
    public void Refused(string errorType, string description)
    {
        if (Activity is { } activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, description);
            activity.SetTag(MessagingConventions.ErrorTypeAttribute, errorType);
            activity.Dispose();
        }
    }
}
