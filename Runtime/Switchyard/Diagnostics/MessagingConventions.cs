using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;

namespace Switchyard;

/// <summary>
/// The OpenTelemetry messaging semantic conventions as Switchyard applies them: attribute names and values, span names,
/// error tagging and the duration histograms' buckets (docs/observability.md lists what each span and instrument carries).
/// </summary>
/// <remarks>
/// The conventions: https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/ and
/// .../messaging/messaging-metrics/. Switchyard's own attributes are in the <c>switchyard.</c> namespace.
/// </remarks>
internal static class MessagingConventions
{
    /// <summary>The <c>messaging.system</c> value of every span and duration.</summary>
    public const string System = "switchyard";

    public const string SystemAttribute = "messaging.system";
    public const string OperationNameAttribute = "messaging.operation.name";
    public const string OperationTypeAttribute = "messaging.operation.type";
    public const string DestinationNameAttribute = "messaging.destination.name";
    public const string DestinationTemporaryAttribute = "messaging.destination.temporary";
    public const string DestinationAnonymousAttribute = "messaging.destination.anonymous";
    public const string MessageIdAttribute = "messaging.message.id";
    public const string MessageBodySizeAttribute = "messaging.message.body.size";
    public const string ErrorTypeAttribute = "error.type";
    public const string MessageTypeAttribute = "switchyard.message.type";
    public const string LayerAttribute = "switchyard.layer";
    public const string ConsumerAttribute = "switchyard.consumer";

    /// <summary>The operation names: a send to a channel, a send to a group, the handling of a message by a consumer.</summary>
    public const string SendOperation = "send";
    public const string GroupSendOperation = "group_send";
    public const string ProcessOperation = "process";

    /// <summary>The operation types (<c>messaging.operation.type</c>) Switchyard reports.</summary>
    public const string SendType = "send";
    public const string ProcessType = "process";

    /// <summary>The <c>error.type</c> of a client's frame whose type no handler of its consumer takes.</summary>
    public const string UnknownTypeError = "unknown_type";

    public const string ProcessDurationInstrument = "messaging.process.duration";
    public const string OperationDurationInstrument = "messaging.client.operation.duration";

    /// <summary>
    /// The buckets of both duration histograms, in seconds. The conventions advise 5 ms to 10 s; an in-memory send or a
    /// short handler takes microseconds, so the buckets start at 10 µs and keep the conventions' upper ones.
    /// </summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
    [
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
        0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ];

    /// <summary>Creates a duration histogram in seconds with the <see cref="DurationBuckets"/> as its advice.</summary>
    public static Histogram<double> CreateDurationHistogram(Meter meter, string name, string description) =>
        meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    /// <summary>
    /// Returns the span name, <c>{operation} {destination}</c>; only <c>{operation}</c> for a temporary destination or
    /// none: the conventions leave a temporary or anonymous destination out of the name (its name is unique, so the span
    /// names would be too).
    /// </summary>
    public static string SpanName(string operation, string? destination, bool temporary) =>
        destination is null || temporary ? operation : $"{operation} {destination}";

    /// <summary>
    /// Returns whether <paramref name="destination"/> is a process-local channel (a connection's, a reply channel:
    /// <c>!</c> in its name): temporary, and named by the layer rather than chosen.
    /// </summary>
    public static bool IsTemporary(string destination) => ChannelNames.IsProcessLocal(destination);

    /// <summary>Sets the destination's attributes: its name, and for a temporary one, that it is temporary and anonymous.</summary>
    public static void SetDestination(Activity activity, string destination, bool temporary)
    {
        activity.SetTag(DestinationNameAttribute, destination);
        if (temporary)
        {
            activity.SetTag(DestinationTemporaryAttribute, true);
            activity.SetTag(DestinationAnonymousAttribute, true);
        }
    }

    /// <summary>Marks a span failed: error status with the message, <c>error.type</c>, and the exception as an event.</summary>
    public static void SetError(Activity activity, Exception exception, string? description = null)
    {
        activity.SetStatus(ActivityStatusCode.Error, description ?? exception.Message);
        activity.SetTag(ErrorTypeAttribute, ErrorType(exception));
        activity.AddException(exception);
    }

    /// <summary>The <c>error.type</c> of a failure: the exception's full type name (a low-cardinality, predictable value).</summary>
    public static string ErrorType(Exception exception) => exception.GetType().FullName ?? exception.GetType().Name;

    /// <summary>
    /// A new message id for the <see cref="MessageHeaders.MessageId"/> header: 128 random bits as 32 hex digits, unique
    /// without coordination between processes.
    /// </summary>
    public static string NewMessageId()
    {
        Span<byte> bits = stackalloc byte[16];
        RandomNumberGenerator.Fill(bits);
        return Convert.ToHexStringLower(bits);
    }
}
