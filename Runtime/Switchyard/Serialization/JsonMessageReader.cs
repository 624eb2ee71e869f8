using System.Globalization;
using System.Text.Json;

namespace Switchyard.Serialization;

/// <summary>
/// Reading helpers that generated JSON readers call, so that every malformed input becomes a
/// <see cref="JsonException"/> naming the message and the field.
/// </summary>
public static class JsonMessageReader
{
    /// <summary>
    /// Finds the top-level <c>type</c> field of a JSON object and copies its unescaped UTF-8 value into
    /// <paramref name="destination"/>, without allocating.
    /// </summary>
    /// <param name="json">One JSON object.</param>
    /// <param name="destination">Where the value goes; message types are shorter than 100 bytes.</param>
    /// <returns>The value's length, or -1 when the object has no string <c>type</c> field that fits.</returns>
    /// <exception cref="JsonException">The JSON is malformed or not an object.</exception>
    public static int ReadType(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        var reader = new Utf8JsonReader(json);
        ReadStartObject(ref reader, "frame");
        while (ReadNextProperty(ref reader, "frame"))
        {
            var isType = reader.ValueTextEquals("type"u8);
            Advance(ref reader, "frame");
            if (isType)
            {
                if (reader.TokenType != JsonTokenType.String || (reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) > destination.Length)
                {
                    return -1;
                }

                return reader.CopyString(destination);
            }

            if (!reader.TrySkip())
            {
                throw new JsonException("The JSON frame ends inside a value.");
            }
        }

        return -1;
    }

    /// <summary>Moves onto the object's start and checks it is an object.</summary>
    /// <param name="reader">The reader, before the object or on it.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <exception cref="JsonException">The next value is not an object.</exception>
    public static void ReadStartObject(ref Utf8JsonReader reader, string message)
    {
        if (reader.TokenType is JsonTokenType.None or JsonTokenType.PropertyName)
        {
            Advance(ref reader, message);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a JSON object for '{message}' but found {Describe(reader.TokenType)}.");
        }
    }

    /// <summary>Moves to the next property name of the current object.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns><see langword="false"/> at the end of the object.</returns>
    public static bool ReadNextProperty(ref Utf8JsonReader reader, string message)
    {
        Advance(ref reader, message);
        return reader.TokenType switch
        {
            JsonTokenType.EndObject => false,
            JsonTokenType.PropertyName => true,
            _ => throw new JsonException($"Expected a property name in '{message}' but found {Describe(reader.TokenType)}."),
        };
    }

    /// <summary>Moves from a property name onto its value.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="message">The message being read, for errors.</param>
    public static void ReadValue(ref Utf8JsonReader reader, string message) => Advance(ref reader, message);

    /// <summary>Skips the value of an unknown property.</summary>
    /// <param name="reader">The reader, on the property name.</param>
    /// <param name="message">The message being read, for errors.</param>
    public static void SkipValue(ref Utf8JsonReader reader, string message)
    {
        Advance(ref reader, message);
        if (!reader.TrySkip())
        {
            throw new JsonException($"The JSON for '{message}' ends inside a value.");
        }
    }

    /// <summary>Returns the error for a required field that is missing.</summary>
    /// <param name="field">The JSON field name.</param>
    /// <param name="message">The message being read.</param>
    /// <returns>The exception to throw.</returns>
    public static JsonException MissingField(string field, string message) =>
        new($"The JSON for '{message}' is missing the required field '{field}'.");

    /// <summary>Returns the error for a <c>null</c> where a value is required.</summary>
    /// <param name="field">The JSON field name.</param>
    /// <param name="message">The message being read.</param>
    /// <returns>The exception to throw.</returns>
    public static JsonException NullField(string field, string message) =>
        new($"The field '{field}' of '{message}' must not be null.");

    /// <summary>Reads a string value; <c>null</c> is an error.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static string ReadString(ref Utf8JsonReader reader, string field, string message) =>
        ReadNullableString(ref reader, field, message) ?? throw NullField(field, message);

    /// <summary>Reads a string value or <c>null</c>.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static string? ReadNullableString(ref Utf8JsonReader reader, string field, string message) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => GetString(ref reader, field, message),
        _ => throw WrongType(reader.TokenType, "a string", field, message),
    };

    /// <summary>Reads the name of the current property: a key of a dictionary field.</summary>
    /// <param name="reader">The reader, on the property name.</param>
    /// <param name="field">The JSON field name of the dictionary, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The name.</returns>
    public static string ReadPropertyName(ref Utf8JsonReader reader, string field, string message) => GetString(ref reader, field, message);

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static bool ReadBoolean(ref Utf8JsonReader reader, string field, string message) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw WrongType(reader.TokenType, "true or false", field, message),
    };

    /// <summary>Reads a number as a <see cref="long"/> and checks it fits <paramref name="min"/>..<paramref name="max"/>.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="min">The smallest allowed value.</param>
    /// <param name="max">The largest allowed value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static long ReadInteger(ref Utf8JsonReader reader, long min, long max, string field, string message)
    {
        RequireNumber(ref reader, field, message);
        if (!reader.TryGetInt64(out var value) || value < min || value > max)
        {
            throw OutOfRange(ref reader, field, message);
        }

        return value;
    }

    /// <summary>Reads a number as an unsigned 64-bit integer.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static ulong ReadUInt64(ref Utf8JsonReader reader, string field, string message)
    {
        RequireNumber(ref reader, field, message);
        return reader.TryGetUInt64(out var value) ? value : throw OutOfRange(ref reader, field, message);
    }

    /// <summary>Reads a number as a <see cref="float"/>.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static float ReadSingle(ref Utf8JsonReader reader, string field, string message)
    {
        RequireNumber(ref reader, field, message);
        return reader.TryGetSingle(out var value) && float.IsFinite(value) ? value : throw OutOfRange(ref reader, field, message);
    }

    /// <summary>Reads a number as a <see cref="double"/>.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static double ReadDouble(ref Utf8JsonReader reader, string field, string message)
    {
        RequireNumber(ref reader, field, message);
        return reader.TryGetDouble(out var value) && double.IsFinite(value) ? value : throw OutOfRange(ref reader, field, message);
    }

    /// <summary>Reads a number as a <see cref="decimal"/>.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static decimal ReadDecimal(ref Utf8JsonReader reader, string field, string message)
    {
        RequireNumber(ref reader, field, message);
        return reader.TryGetDecimal(out var value) ? value : throw OutOfRange(ref reader, field, message);
    }

    /// <summary>Reads a one-character string.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static char ReadChar(ref Utf8JsonReader reader, string field, string message)
    {
        var text = ReadString(ref reader, field, message);
        return text.Length == 1 ? text[0] : throw new JsonException($"The field '{field}' of '{message}' must be a one-character string, not {text.Length} characters.");
    }

    /// <summary>Reads a GUID string.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static Guid ReadGuid(ref Utf8JsonReader reader, string field, string message)
    {
        RequireString(ref reader, field, message);
        return reader.TryGetGuid(out var value) ? value : throw Unparsable("a GUID", field, message);
    }

    /// <summary>Reads an ISO 8601 date and time.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static DateTime ReadDateTime(ref Utf8JsonReader reader, string field, string message)
    {
        RequireString(ref reader, field, message);
        return reader.TryGetDateTime(out var value) ? value : throw Unparsable("an ISO 8601 date and time", field, message);
    }

    /// <summary>Reads an ISO 8601 date, time and offset.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static DateTimeOffset ReadDateTimeOffset(ref Utf8JsonReader reader, string field, string message)
    {
        RequireString(ref reader, field, message);
        return reader.TryGetDateTimeOffset(out var value) ? value : throw Unparsable("an ISO 8601 date, time and offset", field, message);
    }

    /// <summary>Reads a time span in the constant ("c") format, as System.Text.Json writes it.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static TimeSpan ReadTimeSpan(ref Utf8JsonReader reader, string field, string message)
    {
        var text = ReadString(ref reader, field, message);
        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var value) ? value : throw Unparsable("a time span such as 1.02:03:04.5", field, message);
    }

    /// <summary>Reads base64 bytes.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns>The value.</returns>
    public static byte[] ReadBytes(ref Utf8JsonReader reader, string field, string message)
    {
        RequireString(ref reader, field, message);
        return reader.TryGetBytesFromBase64(out var value) ? value : throw Unparsable("base64", field, message);
    }

    /// <summary>Checks the reader is on the start of an array.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    public static void RequireStartArray(ref Utf8JsonReader reader, string field, string message)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw WrongType(reader.TokenType, "an array", field, message);
        }
    }

    /// <summary>Moves to the next array element.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="message">The message being read, for errors.</param>
    /// <returns><see langword="false"/> at the end of the array.</returns>
    public static bool ReadNextElement(ref Utf8JsonReader reader, string message)
    {
        Advance(ref reader, message);
        return reader.TokenType != JsonTokenType.EndArray;
    }

    /// <summary>Checks the reader is on the start of an object used as a dictionary.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="field">The JSON field name, for errors.</param>
    /// <param name="message">The message being read, for errors.</param>
    public static void RequireStartObject(ref Utf8JsonReader reader, string field, string message)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw WrongType(reader.TokenType, "an object", field, message);
        }
    }

    /// <summary>Returns the error for an enum name that is not defined.</summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <param name="enumName">The enum type.</param>
    /// <param name="field">The JSON field name.</param>
    /// <param name="message">The message being read.</param>
    /// <returns>The exception to throw.</returns>
    public static JsonException UnknownEnumValue(ref Utf8JsonReader reader, string enumName, string field, string message) =>
        new($"The field '{field}' of '{message}' has value {(reader.TokenType == JsonTokenType.String ? "'" + reader.GetString() + "'" : Describe(reader.TokenType))}, which is not a {enumName}.");

    // Utf8JsonReader.GetString throws InvalidOperationException for an escaped lone surrogate ("\ud800"), which no
    // string can hold as valid UTF-16; like System.Text.Json, report it as malformed JSON.
    private static string GetString(ref Utf8JsonReader reader, string field, string message)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException($"The field '{field}' of '{message}' holds a string that is not valid UTF-16 (an escaped lone surrogate).", ex);
        }
    }

    private static void Advance(ref Utf8JsonReader reader, string message)
    {
        if (!reader.Read())
        {
            throw new JsonException($"The JSON for '{message}' ends early.");
        }
    }

    private static void RequireNumber(ref Utf8JsonReader reader, string field, string message)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw WrongType(reader.TokenType, "a number", field, message);
        }
    }

    private static void RequireString(ref Utf8JsonReader reader, string field, string message)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType(reader.TokenType, "a string", field, message);
        }
    }

    private static JsonException WrongType(JsonTokenType found, string expected, string field, string message) =>
        new($"The field '{field}' of '{message}' must be {expected}, not {Describe(found)}.");

    private static JsonException OutOfRange(ref Utf8JsonReader reader, string field, string message) =>
        new($"The number {System.Text.Encoding.UTF8.GetString(reader.ValueSpan)} in field '{field}' of '{message}' is out of range for its type.");

    private static JsonException Unparsable(string expected, string field, string message) =>
        new($"The field '{field}' of '{message}' is not {expected}.");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
