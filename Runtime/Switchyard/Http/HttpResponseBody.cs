using System.Buffers;
using Switchyard.Serialization;

namespace Switchyard;

/// <summary>A chunk of a response body on a reply channel (ASGI's <c>http.response.body</c>); the last has <see cref="MoreBody"/> false.</summary>
/// <param name="Body">The chunk.</param>
/// <param name="MoreBody">Whether more chunks follow.</param>
[Message("http.response.body")]
public sealed record HttpResponseBody(ReadOnlyMemory<byte> Body, bool MoreBody) : IChannelMessage<HttpResponseBody>
{
    /// <inheritdoc />
    public static string MessageType => "http.response.body";

    /// <inheritdoc />
    public static void Write(HttpResponseBody message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        var output = new BinaryMessageWriter(writer);
        output.WriteByteSpan(message.Body.Span);
        output.WriteBoolean(message.MoreBody);
    }

    /// <inheritdoc />
    public static HttpResponseBody Read(ReadOnlySpan<byte> payload)
    {
        var input = new BinaryMessageReader(payload);
        var body = input.ReadBytes() ?? [];
        var more = input.ReadBoolean();
        input.EnsureAtEnd(MessageType);
        return new HttpResponseBody(body, more);
    }
}
