using System.Buffers;
using System.Text.Json;

namespace Switchyard.Serialization;

/// <summary>Serializes a typed message into a pooled buffer holding one JSON frame, with a writer kept per thread.</summary>
internal static class JsonFrame
{
    private const int MaxRetainedScratch = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Writes <paramref name="message"/> as JSON into a rented array; the caller returns it to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static (byte[] Rented, int Length) Serialize<T>(T message)
        where T : IJsonMessage<T>
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        try
        {
            T.WriteJson(message, writer);
            writer.Flush();
            var rented = ArrayPool<byte>.Shared.Rent(buffer.WrittenCount);
            buffer.WrittenSpan.CopyTo(rented);
            return (rented, buffer.WrittenCount);
        }
        finally
        {
            writer.Reset(buffer);
            if (buffer.Capacity > MaxRetainedScratch)
            {
                t_buffer = null;
                t_writer = null;
            }
            else
            {
                buffer.ResetWrittenCount();
            }
        }
    }
}
