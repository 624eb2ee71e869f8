namespace Switchyard.Serialization;

/// <summary>A record with a generated compact binary form, composable inside other messages.</summary>
/// <typeparam name="TSelf">The record itself.</typeparam>
public interface IBinaryMessage<TSelf>
    where TSelf : IBinaryMessage<TSelf>
{
    /// <summary>Writes <paramref name="value"/>'s members in declaration order.</summary>
    /// <param name="value">The value; not <see langword="null"/>.</param>
    /// <param name="writer">The writer.</param>
    static abstract void WriteBinary(TSelf value, ref BinaryMessageWriter writer);

    /// <summary>Reads what <see cref="WriteBinary"/> wrote.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The bytes are malformed.</exception>
    static abstract TSelf ReadBinary(ref BinaryMessageReader reader);
}
