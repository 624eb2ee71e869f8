namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>How the protocol's values (options, messages, exceptions) are written into frames and read back.</summary>
internal static class Wire
{
    private enum ErrorCode : byte
    {
        Cancelled = 1,
        Closed = 2,
        ChannelFull = 3,
        MessageTooLarge = 4,
        Argument = 5,
        ArgumentNull = 6,
        NotSupported = 7,
        InvalidOperation = 8,
        ChannelLayer = 9,
        Other = 10,
    }

    public static void WriteOptions(this FrameWriter writer, ChannelLayerOptions options)
    {
        writer.WriteInt32(options.Capacity);
        writer.WriteInt32(options.ChannelCapacity.Count);
        foreach (var rule in options.ChannelCapacity)
        {
            writer.WriteString(rule.Pattern);
            writer.WriteInt32(rule.Capacity);
        }

        writer.WriteInt64(options.Expiry.Ticks);
        writer.WriteInt64(options.GroupExpiry.Ticks);
        writer.WriteInt32(options.MaxMessageSize);
        writer.WriteInt64(options.FullMemberTimeout.Ticks);
        writer.WriteInt32(options.GroupHistory.Count);
        foreach (var rule in options.GroupHistory)
        {
            writer.WriteString(rule.Pattern);
            writer.WriteInt32(rule.MaxCount);
            writer.WriteInt64(rule.MaxAge.Ticks);
        }
    }

    public static void WritePosition(this FrameWriter writer, GroupPosition position)
    {
        writer.WriteString(position.Epoch);
        writer.WriteInt64(position.Offset);
    }

    public static GroupPosition ReadPosition(this FrameReader reader) => new(reader.ReadString(), reader.ReadInt64());

    public static ChannelLayerOptions ReadOptions(this FrameReader reader)
    {
        var options = new ChannelLayerOptions { Capacity = reader.ReadInt32() };
        var rules = reader.ReadInt32();
        for (var i = 0; i < rules; i++)
        {
            options.ChannelCapacity.Add(new ChannelCapacityRule(reader.ReadString(), reader.ReadInt32()));
        }

        options.Expiry = TimeSpan.FromTicks(reader.ReadInt64());
        options.GroupExpiry = TimeSpan.FromTicks(reader.ReadInt64());
        options.MaxMessageSize = reader.ReadInt32();
        options.FullMemberTimeout = TimeSpan.FromTicks(reader.ReadInt64());
        var histories = reader.ReadInt32();
        for (var i = 0; i < histories; i++)
        {
            options.GroupHistory.Add(new GroupHistoryRule(reader.ReadString(), reader.ReadInt32(), TimeSpan.FromTicks(reader.ReadInt64())));
        }

        return options;
    }

    public static void WriteMessage(this FrameWriter writer, ChannelMessage message)
    {
        writer.WriteString(message.Type);
        writer.WriteBytes(message.Payload.Span);
        writer.WriteInt32(message.Headers.Count);
        foreach (var (key, value) in message.Headers)
        {
            writer.WriteString(key);
            writer.WriteString(value);
        }
    }

    public static ChannelMessage ReadMessage(this FrameReader reader)
    {
        var type = reader.ReadString();
        var payload = reader.ReadBytes();
        var count = reader.ReadInt32();
        var headers = MessageHeaders.Empty;
        for (var i = 0; i < count; i++)
        {
            headers = headers.With(reader.ReadString(), reader.ReadString());
        }

        return new ChannelMessage(type, payload, headers);
    }

    /// <summary>Writes what the other end needs to throw an equivalent exception: the kit checks types and their properties.</summary>
    public static void WriteException(this FrameWriter writer, Exception exception)
    {
        switch (exception)
        {
            case OperationCanceledException:
                writer.WriteByte((byte)ErrorCode.Cancelled);
                break;
            case ChannelLayerClosedException:
                writer.WriteByte((byte)ErrorCode.Closed);
                break;
            case ChannelFullException full:
                writer.WriteByte((byte)ErrorCode.ChannelFull);
                writer.WriteString(full.Channel);
                writer.WriteInt32(full.Capacity);
                break;
            case MessageTooLargeException:
                writer.WriteByte((byte)ErrorCode.MessageTooLarge);
                break;
            case ArgumentNullException:
                writer.WriteByte((byte)ErrorCode.ArgumentNull);
                break;
            case ArgumentException:
                writer.WriteByte((byte)ErrorCode.Argument);
                break;
            case NotSupportedException:
                writer.WriteByte((byte)ErrorCode.NotSupported);
                break;
            case InvalidOperationException:
                writer.WriteByte((byte)ErrorCode.InvalidOperation);
                break;
            case ChannelLayerException:
                writer.WriteByte((byte)ErrorCode.ChannelLayer);
                break;
            default:
                writer.WriteByte((byte)ErrorCode.Other);
                break;
        }

        writer.WriteString(exception.GetType().FullName);
        writer.WriteString(exception.Message);
        writer.WriteString(exception is ArgumentException argument ? argument.ParamName : null);
        writer.WriteString(exception.ToString());
    }

    /// <summary>Reads an exception written by <see cref="WriteException"/>.</summary>
    /// <param name="reader">The error frame.</param>
    /// <param name="cancellationToken">The caller's token, for a cancelled call.</param>
    /// <param name="peer">Names the other end in messages about failures of unknown types.</param>
    public static Exception ReadException(this FrameReader reader, CancellationToken cancellationToken, string peer)
    {
        var code = (ErrorCode)reader.ReadByte();
        string? channel = null;
        var capacity = 0;
        if (code == ErrorCode.ChannelFull)
        {
            channel = reader.ReadString();
            capacity = reader.ReadInt32();
        }

        var type = reader.ReadNullableString();
        var message = reader.ReadString();
        var parameter = reader.ReadNullableString();
        var details = reader.ReadNullableString();
        return code switch
        {
            ErrorCode.Cancelled => new OperationCanceledException(message, cancellationToken),
            ErrorCode.Closed => new ChannelLayerClosedException(message),
            ErrorCode.ChannelFull when !string.IsNullOrEmpty(channel) => new ChannelFullException(channel, capacity),
            ErrorCode.ChannelFull => new ChannelFullException(message),
            ErrorCode.MessageTooLarge => new MessageTooLargeException(message),

            // The message already names the parameter ("... (Parameter 'x')"); keep it as the other end wrote it.
            ErrorCode.ArgumentNull => new ArgumentNullException(parameter, message),
            ErrorCode.Argument => new ArgumentException(message),
            ErrorCode.NotSupported => new NotSupportedException(message),
            ErrorCode.InvalidOperation => new InvalidOperationException(message),
            ErrorCode.ChannelLayer => new ChannelLayerException(message),
            _ => new LayerHostException($"The {peer} failed with {type}: {message}\n{details}"),
        };
    }
}
