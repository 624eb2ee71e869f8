using System.Text.Json;

namespace Switchyard.Serialization;

/// <summary>
/// A record with a generated JSON reader and writer on <see cref="Utf8JsonReader"/>/<see cref="Utf8JsonWriter"/>:
/// camelCase member names, enums as strings, <c>byte[]</c> as base64, a <c>type</c> field first for typed messages,
/// unknown fields skipped, missing required fields a <see cref="JsonException"/> naming the field.
/// </summary>
/// <typeparam name="TSelf">The record itself.</typeparam>
public interface IJsonMessage<TSelf>
    where TSelf : IJsonMessage<TSelf>
{
    /// <summary>Writes <paramref name="value"/> as one JSON object.</summary>
    /// <param name="value">The value; not <see langword="null"/>.</param>
    /// <param name="writer">The writer.</param>
    static abstract void WriteJson(TSelf value, Utf8JsonWriter writer);

    /// <summary>Reads one JSON object; the reader is on its <see cref="JsonTokenType.StartObject"/> or just before it.</summary>
    /// <param name="reader">The reader; left on the object's <see cref="JsonTokenType.EndObject"/>.</param>
    /// <returns>The value.</returns>
    /// <exception cref="JsonException">The JSON is malformed, a required field is missing or a value has the wrong type.</exception>
    static abstract TSelf ReadJson(ref Utf8JsonReader reader);
}
