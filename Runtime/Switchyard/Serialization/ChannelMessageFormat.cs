using System.Buffers;
using System.Globalization;

namespace Switchyard.Serialization;

/// <summary>
/// The compact binary form of a whole <see cref="ChannelMessage"/> (a format version, its type, headers and payload),
/// for channel layers that keep messages outside the process: the Redis layer's entries and the IPC layer's segment
/// hold it. Layers add what they need around it (an expiry, an id, a seal).
/// </summary>
public static class ChannelMessageFormat
{
    /// <summary>The version written first; a reader refuses others.</summary>
    public const byte Version = 1;

    /// <summary>Writes <paramref name="message"/> to <paramref name="output"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="output">Where the bytes go.</param>
    public static void Write(ChannelMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writer = new BinaryMessageWriter(output);
        writer.WriteByte(Version);
        writer.WriteString(message.Type);
        writer.WriteCount(message.Headers.Count);
        foreach (var (key, value) in message.Headers)
        {
            writer.WriteString(key);
            writer.WriteString(value);
        }

        writer.WriteByteSpan(message.Payload.Span);
    }

    /// <summary>Reads a message written by <see cref="Write"/>.</summary>
    /// <param name="input">Exactly the bytes <see cref="Write"/> wrote.</param>
    /// <returns>The message.</returns>
    /// <exception cref="FormatException">The bytes are not a message of this format (or of another version); the message says which.</exception>
    public static ChannelMessage Read(ReadOnlySpan<byte> input)
    {
        var reader = new BinaryMessageReader(input);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"unknown format version {version}"));
        }

        var type = reader.ReadString() ?? string.Empty;
        var headers = MessageHeaders.Empty;
        for (var count = reader.ReadCollectionCount(); count > 0; count--)
        {
            headers = headers.With(reader.ReadString() ?? string.Empty, reader.ReadString() ?? string.Empty);
        }

        var payload = reader.ReadBytes() ?? [];
        reader.EnsureAtEnd("channel message");
        return new ChannelMessage(type, payload, headers);
    }
}
