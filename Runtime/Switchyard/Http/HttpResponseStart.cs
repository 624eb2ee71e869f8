using System.Buffers;
using Switchyard.Serialization;

namespace Switchyard;

/// <summary>The start of a response on a reply channel (ASGI's <c>http.response.start</c>): status and headers.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Headers">The response headers.</param>
[Message("http.response.start")]
public sealed record HttpResponseStart(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers) : IChannelMessage<HttpResponseStart>
{
    /// <inheritdoc />
    public static string MessageType => "http.response.start";

    /// <inheritdoc />
    public static void Write(HttpResponseStart message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        var output = new BinaryMessageWriter(writer);
        output.WriteInt32(message.Status);
        HttpHeaderList.Write(ref output, message.Headers);
    }

    /// <inheritdoc />
    public static HttpResponseStart Read(ReadOnlySpan<byte> payload)
    {
        var input = new BinaryMessageReader(payload);
        var status = input.ReadInt32();
        var headers = HttpHeaderList.Read(ref input);
        input.EnsureAtEnd(MessageType);
        return new HttpResponseStart(status, headers);
    }
}
