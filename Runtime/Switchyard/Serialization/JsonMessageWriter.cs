using System.Globalization;
using System.Text.Json;

namespace Switchyard.Serialization;

/// <summary>Writing helpers that generated JSON writers call for values <see cref="Utf8JsonWriter"/> has no overload for.</summary>
public static class JsonMessageWriter
{
    /// <summary>Writes a character as a one-character string, without allocating.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteChar(Utf8JsonWriter writer, char value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue([value]);
    }

    /// <summary>Writes a time span in the constant ("c") format, as System.Text.Json does, without allocating.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteTimeSpan(Utf8JsonWriter writer, TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> text = stackalloc char[32];
        value.TryFormat(text, out var written, "c", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }
}
