using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Switchyard.Serialization;

/// <summary>
/// The reserved fields of the client protocol (docs/protocol.md): <c>$id</c> (the sender wants an answer) and
/// <c>$re</c> (this frame answers the other side's <c>$id</c>). They start with <c>$</c>, which no generated field name
/// can, so the generated readers skip them as unknown fields; this reads and writes them around those readers.
/// </summary>
internal static class JsonEnvelope
{
    /// <summary>The largest id: what a JavaScript number holds exactly (2^53 - 1).</summary>
    public const long MaxId = (1L << 53) - 1;

    /// <summary>The type of an answer that says "handled, nothing to reply".</summary>
    public const string AckType = "switchyard.ack";

    /// <summary>The type of an answer that says "refused", with an <c>error</c> text.</summary>
    public const string ErrorType = "switchyard.error";

    /// <summary>Reads a top-level reserved field of a frame.</summary>
    /// <param name="json">The frame: one JSON object.</param>
    /// <param name="field">The field's UTF-8 name, <c>$id</c> or <c>$re</c>.</param>
    /// <param name="value">The id; 0 when the field is absent.</param>
    /// <returns><see langword="false"/> when the field is there but not an integer from 1 to <see cref="MaxId"/>.</returns>
    /// <exception cref="JsonException">The frame is not a well-formed JSON object.</exception>
    public static bool TryReadId(ReadOnlySpan<byte> json, ReadOnlySpan<byte> field, out long value)
    {
        value = 0;

        // The field's name with its quotes appears nowhere in most frames: a vectorized search skips the parse.
        Span<byte> quoted = stackalloc byte[field.Length + 2];
        quoted[0] = (byte)'"';
        field.CopyTo(quoted[1..]);
        quoted[^1] = (byte)'"';
        if (json.IndexOf(quoted) < 0)
        {
            return true;
        }

        var reader = new Utf8JsonReader(json);
        JsonMessageReader.ReadStartObject(ref reader, "frame");
        while (JsonMessageReader.ReadNextProperty(ref reader, "frame"))
        {
            var isField = reader.ValueTextEquals(field);
            JsonMessageReader.ReadValue(ref reader, "frame");
            if (isField)
            {
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value) && value is >= 1 and <= MaxId;
            }

            if (!reader.TrySkip())
            {
                throw new JsonException("The JSON frame ends inside a value.");
            }
        }

        return true;
    }

    /// <summary>Reads the <c>error</c> text of a <c>switchyard.error</c> answer.</summary>
    /// <param name="json">The answer.</param>
    /// <returns>The text, or a stand-in when it has none.</returns>
    public static string ReadError(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        JsonMessageReader.ReadStartObject(ref reader, "switchyard.error");
        while (JsonMessageReader.ReadNextProperty(ref reader, "switchyard.error"))
        {
            var isError = reader.ValueTextEquals("error"u8);
            JsonMessageReader.ReadValue(ref reader, "switchyard.error");
            if (isError && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString()!;
            }

            reader.TrySkip();
        }

        return "the other side refused it without saying why";
    }

    /// <summary>Writes <paramref name="message"/> as JSON with a reserved field added, into a rented array.</summary>
    /// <typeparam name="T">The message record.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="field">The field's name: <c>$id</c> or <c>$re</c>.</param>
    /// <param name="id">Its value.</param>
    /// <returns>The rented array (return it to <see cref="ArrayPool{T}.Shared"/>) and the frame's length.</returns>
    public static (byte[] Rented, int Length) Serialize<T>(T message, ReadOnlySpan<byte> field, long id)
        where T : IJsonMessage<T>
    {
        var (json, length) = JsonFrame.Serialize(message);
        try
        {
            return WithField(json.AsSpan(0, length), field, id);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(json);
        }
    }

    /// <summary>Makes the answer <c>{"type":"switchyard.ack","$re":id}</c>.</summary>
    /// <param name="id">The id answered.</param>
    /// <returns>The rented array and the frame's length.</returns>
    public static (byte[] Rented, int Length) Ack(long id) => WithField("{\"type\":\"switchyard.ack\"}"u8, "$re"u8, id);

    /// <summary>Makes the answer <c>{"type":"switchyard.error","$re":id,"error":text}</c>; without an id, no <c>$re</c>.</summary>
    /// <param name="id">The id answered, or 0.</param>
    /// <param name="error">The text for people.</param>
    /// <returns>The rented array and the frame's length.</returns>
    public static (byte[] Rented, int Length) Error(long id, string error)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + error.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, ErrorType);
            if (id != 0)
            {
                writer.WriteNumber("$re"u8, id);
            }

            writer.WriteString("error"u8, error);
            writer.WriteEndObject();
        }

        var rented = ArrayPool<byte>.Shared.Rent(buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(rented);
        return (rented, buffer.WrittenCount);
    }

    // {...} becomes {...,"field":id}: the object's closing brace is replaced.
    private static (byte[] Rented, int Length) WithField(ReadOnlySpan<byte> json, ReadOnlySpan<byte> field, long id)
    {
        var rented = ArrayPool<byte>.Shared.Rent(json.Length + field.Length + 24);
        var length = json.Length - 1;
        json[..length].CopyTo(rented);
        rented[length++] = (byte)',';
        rented[length++] = (byte)'"';
        field.CopyTo(rented.AsSpan(length));
        length += field.Length;
        rented[length++] = (byte)'"';
        rented[length++] = (byte)':';
        Utf8Formatter.TryFormat(id, rented.AsSpan(length), out var written);
        length += written;
        rented[length++] = (byte)'}';
        return (rented, length);
    }
}
