using System.Buffers;

namespace Switchyard;

/// <summary>
/// A typed message that knows its <c>type</c> string and its compact binary form. The Switchyard source
/// generator implements this on records marked <c>[Message("...")]</c>; nothing is found by reflection.
/// </summary>
/// <typeparam name="TSelf">The message record itself.</typeparam>
public interface IChannelMessage<TSelf>
    where TSelf : IChannelMessage<TSelf>
{
    /// <summary>Gets the message type, such as <c>chat.message</c>, that selects the handler.</summary>
    static abstract string MessageType { get; }

    /// <summary>Writes the compact binary form of <paramref name="message"/> used on channel layers.</summary>
    /// <param name="message">The message to write.</param>
    /// <param name="writer">Where the bytes go.</param>
    static abstract void Write(TSelf message, IBufferWriter<byte> writer);

    /// <summary>Reads a message written by <see cref="Write"/>.</summary>
    /// <param name="payload">The bytes of one message.</param>
    /// <returns>The message.</returns>
    /// <exception cref="FormatException">The bytes are not a valid message of this type.</exception>
    static abstract TSelf Read(ReadOnlySpan<byte> payload);
}
