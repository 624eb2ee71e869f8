using System.Buffers;
using Switchyard.Serialization;

namespace Switchyard;

/// <summary>
/// An HTTP request handed to a worker over the channel layer (ASGI's <c>http.request</c> with Channels 1's reply
/// channel): the interface server sends it to a named channel and streams back what the worker sends to
/// <see cref="ReplyChannel"/> — one <see cref="HttpResponseStart"/>, then <see cref="HttpResponseBody"/> chunks.
/// </summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path.</param>
/// <param name="QueryString">The query string with its leading <c>?</c>, or empty.</param>
/// <param name="Headers">The request headers.</param>
/// <param name="Body">The request body (bounded by the server's body limit).</param>
/// <param name="ReplyChannel">Where the response goes.</param>
[Message("http.request")]
public sealed record HttpRequestEvent(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body,
    string ReplyChannel) : IChannelMessage<HttpRequestEvent>
{
    /// <inheritdoc />
    public static string MessageType => "http.request";

    /// <inheritdoc />
    public static void Write(HttpRequestEvent message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        var output = new BinaryMessageWriter(writer);
        output.WriteString(message.Method);
        output.WriteString(message.Path);
        output.WriteString(message.QueryString);
        HttpHeaderList.Write(ref output, message.Headers);
        output.WriteByteSpan(message.Body.Span);
        output.WriteString(message.ReplyChannel);
    }

    /// <inheritdoc />
    public static HttpRequestEvent Read(ReadOnlySpan<byte> payload)
    {
        var input = new BinaryMessageReader(payload);
        var method = input.ReadString() ?? string.Empty;
        var path = input.ReadString() ?? "/";
        var query = input.ReadString() ?? string.Empty;
        var headers = HttpHeaderList.Read(ref input);
        var body = input.ReadBytes() ?? [];
        var reply = input.ReadString() ?? string.Empty;
        input.EnsureAtEnd(MessageType);
        return new HttpRequestEvent(method, path, query, headers, body, reply);
    }

    /// <summary>Gets the first value of a header, or <see langword="null"/>.</summary>
    /// <param name="name">The header name (case-insensitive).</param>
    /// <returns>The value.</returns>
    public string? GetHeader(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
