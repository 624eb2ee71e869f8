using System.Text;
using System.Text.Json;
using Switchyard.Serialization;

namespace Switchyard.Client.Internal;

/// <summary>
/// A request waiting for its answer (<c>$re</c>): settled by the receive loop as soon as the answer arrives, failed
/// when its connection is lost after it was sent, abandoned when it times out or is cancelled.
/// </summary>
internal abstract class PendingRequest
{
    protected PendingRequest(string requestType) => RequestType = requestType;

    /// <summary>Gets the type of the request, for messages.</summary>
    public string RequestType { get; }

    /// <summary>Gets or sets whether the frame went to a socket (only a sent request fails with its connection).</summary>
    public bool Sent { get; set; }

    /// <summary>Gets whether the request is answered, failed or abandoned (a queued frame of it is not sent then).</summary>
    public abstract bool IsCompleted { get; }

    /// <summary>Nobody waits any more (timed out, cancelled, or answered): cancels the completion, which nobody observes.</summary>
    public abstract void Abandon();

    /// <summary>The server answered <c>switchyard.ack</c>.</summary>
    public abstract void Acknowledge();

    /// <summary>The server answered with a typed message.</summary>
    /// <param name="type">The answer's UTF-8 type.</param>
    /// <param name="json">The answer.</param>
    public abstract void Reply(ReadOnlySpan<byte> type, ReadOnlySpan<byte> json);

    public abstract void Fail(Exception error);
}

/// <summary>A request answered by a typed reply.</summary>
internal sealed class PendingRequest<TAnswer> : PendingRequest
    where TAnswer : IChannelMessage<TAnswer>, IJsonMessage<TAnswer>
{
    private static readonly byte[] s_type = Encoding.UTF8.GetBytes(TAnswer.MessageType);

    private readonly TaskCompletionSource<TAnswer> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingRequest(string requestType)
        : base(requestType)
    {
    }

    public Task<TAnswer> Task => _completion.Task;

    public override bool IsCompleted => _completion.Task.IsCompleted;

    public override void Abandon() => _completion.TrySetCanceled();

    public override void Acknowledge() => _completion.TrySetException(new SwitchyardClientException(
        $"The server acknowledged '{RequestType}' without replying with a '{TAnswer.MessageType}'."));

    public override void Reply(ReadOnlySpan<byte> type, ReadOnlySpan<byte> json)
    {
        if (!type.SequenceEqual(s_type))
        {
            _completion.TrySetException(new SwitchyardClientException(
                $"The server answered '{RequestType}' with a '{LogSanitizer.Sanitize(Encoding.UTF8.GetString(type))}', not a '{TAnswer.MessageType}'."));
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            _completion.TrySetResult(TAnswer.ReadJson(ref reader));
        }
        catch (JsonException ex)
        {
            _completion.TrySetException(new SwitchyardClientException($"The server's '{TAnswer.MessageType}' reply to '{RequestType}' is not valid: {ex.Message}", ex));
        }
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);
}

/// <summary>A request answered by <c>switchyard.ack</c> (or any reply: the server handled it).</summary>
internal sealed class PendingAck : PendingRequest
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingAck(string requestType)
        : base(requestType)
    {
    }

    public Task Task => _completion.Task;

    public override bool IsCompleted => _completion.Task.IsCompleted;

    public override void Abandon() => _completion.TrySetCanceled();

    public override void Acknowledge() => _completion.TrySetResult();

    public override void Reply(ReadOnlySpan<byte> type, ReadOnlySpan<byte> json) => _completion.TrySetResult();

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
