using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchyard.Serialization;

namespace Switchyard.Client.Internal;

/// <summary>
/// Writes outgoing frames: a typed message through its generated <c>WriteJson</c>, with <c>$id</c> or <c>$re</c>
/// added before the closing brace, and the protocol's <c>switchyard.ack</c> and <c>switchyard.error</c> answers.
/// </summary>
internal static class FrameWriter
{
    private const int MaxRetainedScratch = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Writes a typed message, with <paramref name="field"/> (<c>$id</c> or <c>$re</c>) set to <paramref name="number"/> when it is not 0.</summary>
    public static OutgoingFrame Write<T>(T message, ReadOnlySpan<byte> field, long number, PendingRequest? request)
        where T : IJsonMessage<T>
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        try
        {
            T.WriteJson(message, writer);
            writer.Flush();
            var json = buffer.WrittenSpan;
            if (json.Length < 2 || json[^1] != (byte)'}')
            {
                throw new InvalidOperationException($"{typeof(T).Name}.WriteJson did not write a JSON object.");
            }

            if (number == 0)
            {
                return Copy(json, default, default);
            }

            // {"type":"x",...}  ->  {"type":"x",...,"$id":7}
            Span<byte> suffix = stackalloc byte[48];
            var length = 0;
            suffix[length++] = (byte)',';
            suffix[length++] = (byte)'"';
            field.CopyTo(suffix[length..]);
            length += field.Length;
            suffix[length++] = (byte)'"';
            suffix[length++] = (byte)':';
            number.TryFormat(suffix[length..], out var digits, provider: CultureInfo.InvariantCulture);
            length += digits;
            suffix[length++] = (byte)'}';
            return Copy(json[..^1], suffix[..length], request);
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

    /// <summary>Writes <c>{"type":"switchyard.ack","$re":n}</c>.</summary>
    public static OutgoingFrame Ack(long re)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"switchyard.ack\",\"$re\":{re}}}");
        return Copy(Encoding.UTF8.GetBytes(text), default, null);
    }

    /// <summary>Writes <c>{"type":"switchyard.error","$re":n,"error":"..."}</c>.</summary>
    public static OutgoingFrame Error(long re, string error)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "switchyard.error"u8);
            writer.WriteNumber("$re"u8, re);
            writer.WriteString("error"u8, error);
            writer.WriteEndObject();
        }

        return Copy(buffer.WrittenSpan, default, null);
    }

    private static OutgoingFrame Copy(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, PendingRequest? request)
    {
        var rented = ArrayPool<byte>.Shared.Rent(head.Length + tail.Length);
        head.CopyTo(rented);
        tail.CopyTo(rented.AsSpan(head.Length));
        return new OutgoingFrame(rented, head.Length + tail.Length, request);
    }
}
