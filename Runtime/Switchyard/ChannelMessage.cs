using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Switchyard;

/// <summary>
/// The envelope every channel layer carries: a message <see cref="Type"/>, its serialized <see cref="Payload"/>
/// and small <see cref="Headers"/> (trace context and the like).
/// </summary>
/// <remarks>
/// An envelope is immutable and its payload is never written after construction, so one instance can be sent
/// many times and handed to every member of a group: a group send serializes once and fans out the same bytes.
/// </remarks>
public sealed class ChannelMessage
{
    private const int MaxRetainedScratch = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    // Frames made from this envelope for WebSocket clients (see GetFrame), most often one: a short list, never locked.
    private CachedFrame? _frames;

    /// <summary>Creates an envelope around an already serialized payload.</summary>
    /// <param name="type">The message type, such as <c>chat.message</c> (see <see cref="ChannelNames.ValidateMessageType"/>).</param>
    /// <param name="payload">The serialized message. The envelope keeps a reference; do not change the bytes afterwards.</param>
    /// <param name="headers">Optional headers.</param>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a valid message type.</exception>
    public ChannelMessage(string type, ReadOnlyMemory<byte> payload, MessageHeaders headers = default)
    {
        ChannelNames.ValidateMessageType(type);
        Type = type;
        Payload = payload;
        Headers = headers;
    }

    private ChannelMessage(ChannelMessage source, MessageHeaders headers)
    {
        Type = source.Type;
        Payload = source.Payload;
        Headers = headers;
    }

    /// <summary>Gets the message type that selects the handler.</summary>
    public string Type { get; }

    /// <summary>Gets the serialized message.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Gets the headers.</summary>
    public MessageHeaders Headers { get; }

    /// <summary>Serializes a typed message once into a new envelope.</summary>
    /// <typeparam name="T">The message record, with a generated serializer.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="headers">Optional headers.</param>
    /// <returns>An envelope whose payload is exactly the serialized bytes.</returns>
    public static ChannelMessage Create<T>(T message, MessageHeaders headers = default)
        where T : IChannelMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);

        // Serialize into a scratch buffer kept per thread, then copy out exactly the payload: one allocation of the
        // payload's size per message, however many members a group send later hands it to.
        var buffer = t_scratch ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        T.Write(message, buffer);
        var payload = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > MaxRetainedScratch)
        {
            t_scratch = null;
        }

        return new ChannelMessage(T.MessageType, payload, headers);
    }

    /// <summary>Reads the payload as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The expected message record.</typeparam>
    /// <returns>The message.</returns>
    /// <exception cref="InvalidOperationException">The envelope's type is not <typeparamref name="T"/>'s type.</exception>
    /// <exception cref="FormatException">The payload is not a valid <typeparamref name="T"/>.</exception>
    public T Read<T>()
        where T : IChannelMessage<T>
    {
        if (!string.Equals(Type, T.MessageType, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Cannot read a '{Type}' message as {typeof(T).Name}, whose message type is '{T.MessageType}'.");
        }

        return T.Read(Payload.Span);
    }

    /// <summary>Returns a copy of this envelope with other headers; the payload bytes are shared, not copied.</summary>
    /// <param name="headers">The new headers.</param>
    /// <returns>A new envelope.</returns>
    public ChannelMessage WithHeaders(MessageHeaders headers) => new(this, headers);

    /// <summary>
    /// Returns the message as one JSON frame for WebSocket clients, encoded on first use and then shared: a group send
    /// on the forwarding path (see <see cref="IChannelForwarder"/>) encodes once for all of its members in a process.
    /// A message of a group with a history (<see cref="ChannelLayerOptions.GroupHistory"/>) ends with a
    /// <c>"position":"epoch:offset"</c> field: what its client keeps, to come back with after a reconnect.
    /// </summary>
    /// <typeparam name="T">The message record, whose type is <see cref="Type"/>.</typeparam>
    /// <returns>The UTF-8 JSON of the message; do not change the bytes.</returns>
    /// <exception cref="FormatException">The payload is not a valid <typeparamref name="T"/>.</exception>
    public ReadOnlyMemory<byte> GetJsonFrame<T>()
        where T : IChannelMessage<T>, Serialization.IJsonMessage<T> =>
        GetFrame(typeof(T), static message =>
        {
            var (rented, length) = Serialization.JsonFrame.Serialize(T.Read(message.Payload.Span));
            var frame = message.TryGetGroupPosition(out _, out var position)
                ? WithPositionField(rented.AsSpan(0, length), position)
                : rented.AsSpan(0, length).ToArray();
            ArrayPool<byte>.Shared.Return(rented);
            return frame;
        }) ?? ReadOnlyMemory<byte>.Empty;

    // A message of a group with a history: its frame ends with "position":"epoch:offset", what the client keeps to resume.
    private static byte[] WithPositionField(ReadOnlySpan<byte> json, GroupPosition position)
    {
        var field = Encoding.UTF8.GetBytes($",\"position\":\"{position}\"}}");
        var frame = new byte[json.Length - 1 + field.Length];
        json[..^1].CopyTo(frame);
        field.CopyTo(frame.AsSpan(json.Length - 1));
        return frame;
    }

    /// <summary>
    /// Returns a frame made from this envelope by <paramref name="encode"/>, made on first use for
    /// <paramref name="key"/> and then shared by every later caller with the same key (the generated forwarding code
    /// keeps one key per forwarded shape, such as "the UTF-8 of field Text").
    /// </summary>
    /// <param name="key">Identifies the encoding; compared by reference. Use a static object.</param>
    /// <param name="encode">Makes the frame; <see langword="null"/> when this message has none (not cached).</param>
    /// <returns>The frame (do not change the bytes), or <see langword="null"/>.</returns>
    public byte[]? GetFrame(object key, Func<ChannelMessage, byte[]?> encode)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(encode);
        return GetFrame(key, encode, static (message, encode) => encode(message));
    }

    // GetFrame with state for the encoder, so a caller on a hot path (the connection engine's compressed frames)
    // passes what it encodes without a closure.
    internal byte[]? GetFrame<TState>(object key, TState state, Func<ChannelMessage, TState, byte[]?> encode)
    {
        for (var cached = Volatile.Read(ref _frames); cached is not null; cached = cached.Next)
        {
            if (ReferenceEquals(cached.Key, key))
            {
                return cached.Frame;
            }
        }

        var frame = encode(this, state);
        if (frame is null)
        {
            return null;
        }

        // Two threads may make the same frame at once; both are correct, one is kept.
        while (true)
        {
            var head = Volatile.Read(ref _frames);
            if (Interlocked.CompareExchange(ref _frames, new CachedFrame(key, frame, head), head) == head)
            {
                return frame;
            }
        }
    }

    /// <summary>
    /// Reads the group and the <see cref="GroupPosition"/> a group send with a history gave this message
    /// (<see cref="MessageHeaders.Group"/>, <see cref="MessageHeaders.Position"/>).
    /// </summary>
    /// <param name="group">The group the message was sent to.</param>
    /// <param name="position">Its position in the group's history.</param>
    /// <returns><see langword="false"/> when the message has no position (not a group send, or the group keeps no history).</returns>
    public bool TryGetGroupPosition([NotNullWhen(true)] out string? group, out GroupPosition position)
    {
        position = default;
        group = null;
        if (!Headers.TryGetValue(MessageHeaders.Position, out var text) || !GroupPosition.TryParse(text, out position)
            || !Headers.TryGetValue(MessageHeaders.Group, out var name))
        {
            return false;
        }

        group = name;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} ({Payload.Length} bytes)";

    private sealed record CachedFrame(object Key, byte[] Frame, CachedFrame? Next);
}
