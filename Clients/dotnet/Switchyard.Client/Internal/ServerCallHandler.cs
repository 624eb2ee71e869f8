using System.Text.Json;
using Switchyard.Serialization;

namespace Switchyard.Client.Internal;

/// <summary>
/// A <c>Handle</c> registration: reads a server call's question on the receive loop and returns the work that runs
/// the handler off the loop and yields the answer frame.
/// </summary>
internal abstract class ServerCallHandler
{
    /// <summary>Reads the question; throws <see cref="JsonException"/> when it is not a valid message.</summary>
    public abstract Func<CancellationToken, ValueTask<OutgoingFrame>> Prepare(ReadOnlySpan<byte> json, long id);

    protected static TQuestion Read<TQuestion>(ReadOnlySpan<byte> json)
        where TQuestion : IJsonMessage<TQuestion>
    {
        var reader = new Utf8JsonReader(json);
        return TQuestion.ReadJson(ref reader);
    }
}

/// <summary>A server call answered with a typed reply.</summary>
internal sealed class ServerCallHandler<TQuestion, TAnswer>(Func<TQuestion, CancellationToken, ValueTask<TAnswer>> handler) : ServerCallHandler
    where TQuestion : IJsonMessage<TQuestion>
    where TAnswer : IJsonMessage<TAnswer>
{
    public override Func<CancellationToken, ValueTask<OutgoingFrame>> Prepare(ReadOnlySpan<byte> json, long id)
    {
        var question = Read<TQuestion>(json);
        return async cancellationToken =>
        {
            var answer = await handler(question, cancellationToken).ConfigureAwait(false);
            return answer is null
                ? throw new InvalidOperationException($"The handler of '{typeof(TQuestion).Name}' returned null.")
                : FrameWriter.Write(answer, "$re"u8, id, null);
        };
    }
}

/// <summary>A server call answered with <c>switchyard.ack</c>.</summary>
internal sealed class ServerCallHandler<TQuestion>(Func<TQuestion, CancellationToken, ValueTask> handler) : ServerCallHandler
    where TQuestion : IJsonMessage<TQuestion>
{
    public override Func<CancellationToken, ValueTask<OutgoingFrame>> Prepare(ReadOnlySpan<byte> json, long id)
    {
        var question = Read<TQuestion>(json);
        return async cancellationToken =>
        {
            await handler(question, cancellationToken).ConfigureAwait(false);
            return FrameWriter.Ack(id);
        };
    }
}
