using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Switchyard.Benchmarks;

/// <summary>
/// A small typed message with a hand-written <see cref="IChannelMessage{TSelf}"/> implementation (what the source
/// generator would emit): a little-endian 32-bit id followed by the UTF-8 title.
/// </summary>
/// <param name="Id">The post id.</param>
/// <param name="Title">The post title.</param>
public sealed record PostPublished(int Id, string Title) : IChannelMessage<PostPublished>
{
    /// <inheritdoc />
    public static string MessageType => "post.published";

    /// <inheritdoc />
    public static void Write(PostPublished message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(writer);
        var length = sizeof(int) + Encoding.UTF8.GetByteCount(message.Title);
        var span = writer.GetSpan(length);
        BinaryPrimitives.WriteInt32LittleEndian(span, message.Id);
        var written = Encoding.UTF8.GetBytes(message.Title, span[sizeof(int)..]);
        writer.Advance(sizeof(int) + written);
    }

    /// <inheritdoc />
    public static PostPublished Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < sizeof(int))
        {
            throw new FormatException($"A {MessageType} payload is at least {sizeof(int)} bytes, not {payload.Length}.");
        }

        return new PostPublished(BinaryPrimitives.ReadInt32LittleEndian(payload), Encoding.UTF8.GetString(payload[sizeof(int)..]));
    }
}
