using System.Text.Json;

namespace Switchyard.Client.Internal;

/// <summary>
/// The protocol's fields of one received message, read in one pass of a <see cref="Utf8JsonReader"/> over its bytes:
/// <c>type</c> (copied, unescaped, into a caller's buffer), <c>$id</c>, <c>$re</c> and <c>position</c>. Other fields
/// are skipped; the typed message is read afterwards by its generated reader.
/// </summary>
internal readonly struct FrameHeader
{
    /// <summary>The largest <c>$id</c>/<c>$re</c>: 2^53 − 1, the largest integer a JavaScript number holds exactly.</summary>
    public const long MaxId = (1L << 53) - 1;

    /// <summary>The longest <c>type</c> read (longer ones are reported as <see cref="Problem"/>).</summary>
    public const int MaxTypeLength = 256;

    private FrameHeader(int typeLength, long id, long re, string? position, string? problem)
    {
        TypeLength = typeLength;
        Id = id;
        Re = re;
        Position = position;
        Problem = problem;
    }

    /// <summary>Gets the length of the type in the caller's buffer.</summary>
    public int TypeLength { get; }

    /// <summary>Gets the <c>$id</c>, or 0.</summary>
    public long Id { get; }

    /// <summary>Gets the <c>$re</c>, or 0.</summary>
    public long Re { get; }

    /// <summary>Gets the <c>position</c> field's text, if any.</summary>
    public string? Position { get; }

    /// <summary>Gets why the frame is not a message, if it is not.</summary>
    public string? Problem { get; }

    /// <summary>Reads the header of one message.</summary>
    /// <param name="json">The message's bytes.</param>
    /// <param name="type">Receives the unescaped UTF-8 type; <see cref="MaxTypeLength"/> bytes.</param>
    /// <returns>The header; <see cref="Problem"/> says what is wrong with a frame that is not a message.</returns>
    /// <exception cref="JsonException">The JSON is malformed.</exception>
    public static FrameHeader Read(ReadOnlySpan<byte> json, Span<byte> type)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new FrameHeader(-1, 0, 0, null, "not a JSON object");
        }

        var typeLength = -1;
        long id = 0, re = 0;
        string? position = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return new FrameHeader(-1, 0, 0, null, "'type' is not a string");
                }

                if ((reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) > MaxTypeLength)
                {
                    return new FrameHeader(-1, 0, 0, null, "'type' is too long");
                }

                typeLength = reader.CopyString(type);
            }
            else if (reader.ValueTextEquals("$id"u8))
            {
                reader.Read();
                if (!TryReadId(ref reader, out id))
                {
                    return new FrameHeader(-1, 0, 0, null, "'$id' is not an integer from 1 to 2^53-1");
                }
            }
            else if (reader.ValueTextEquals("$re"u8))
            {
                reader.Read();
                if (!TryReadId(ref reader, out re))
                {
                    return new FrameHeader(-1, 0, 0, null, "'$re' is not an integer from 1 to 2^53-1");
                }
            }
            else if (reader.ValueTextEquals("position"u8))
            {
                reader.Read();
                position = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return typeLength < 0 ? new FrameHeader(-1, id, re, position, "no string 'type' field") : new FrameHeader(typeLength, id, re, position, null);
    }

    /// <summary>Reads the <c>error</c> text of a <c>switchyard.error</c> frame.</summary>
    /// <param name="json">The frame.</param>
    /// <returns>The text, or a stand-in when there is none.</returns>
    public static string ReadError(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isError = reader.ValueTextEquals("error"u8);
            reader.Read();
            if (isError && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString()!;
            }

            reader.Skip();
        }

        return "The request failed (the answer gave no reason).";
    }

    private static bool TryReadId(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value) && value is >= 1 and <= MaxId;
    }
}
