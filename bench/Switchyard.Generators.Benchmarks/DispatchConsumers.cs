using System.Reflection;

namespace Switchyard.Generators.Benchmarks;

/// <summary>The consumer whose <see cref="IConsumerDispatcher"/> the generator writes: eight handlers, eight message types.</summary>
[Consumer]
public sealed partial class GeneratedConsumer : Consumer
{
    /// <summary>Gets the sum of the sequence numbers handled.</summary>
    public long Total { get; private set; }

    private ValueTask Handle(ChatJoin message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(ChatLeave message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(ChatLine message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(ChatTyping message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(PresenceAway message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(PresenceOnline message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(RoomClosed message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(RoomTopic message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }
}

/// <summary>
/// The reference: the same handlers with a switch written by hand, decoding each payload with the record's
/// <c>Read</c> exactly as the generated switch does, so only the dispatch code differs (and it should not).
/// </summary>
public sealed class HandWrittenConsumer : IConsumerDispatcher
{
    /// <summary>Gets the sum of the sequence numbers handled.</summary>
    public long Total { get; private set; }

    bool IConsumerDispatcher.TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
    {
        switch (message.Type)
        {
            case "chat.join":
                handling = Handle(ChatJoin.Read(message.Payload.Span), cancellationToken);
                return true;
            case "chat.leave":
                handling = Handle(ChatLeave.Read(message.Payload.Span), cancellationToken);
                return true;
            case "chat.line":
                handling = Handle(ChatLine.Read(message.Payload.Span), cancellationToken);
                return true;
            case "chat.typing":
                handling = Handle(ChatTyping.Read(message.Payload.Span), cancellationToken);
                return true;
            case "presence.away":
                handling = Handle(PresenceAway.Read(message.Payload.Span), cancellationToken);
                return true;
            case "presence.online":
                handling = Handle(PresenceOnline.Read(message.Payload.Span), cancellationToken);
                return true;
            case "room.closed":
                handling = Handle(RoomClosed.Read(message.Payload.Span), cancellationToken);
                return true;
            case "room.topic":
                handling = Handle(RoomTopic.Read(message.Payload.Span), cancellationToken);
                return true;
            default:
                handling = default;
                return false;
        }
    }

    private ValueTask Handle(ChatJoin message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(ChatLeave message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(ChatLine message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(ChatTyping message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(PresenceAway message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(PresenceOnline message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(RoomClosed message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }

    private ValueTask Handle(RoomTopic message, CancellationToken cancellationToken) { Total += message.Sequence; return default; }
}

/// <summary>
/// What the generated switch replaces: handlers found by reflection once (message type → handler
/// <see cref="MethodInfo"/>, plus <see cref="ChannelMessage.Read{T}"/> closed over the handler's parameter type),
/// then <see cref="MethodBase.Invoke(object, object[])"/> per message to decode the payload and to call the handler.
/// </summary>
public sealed class ReflectionDispatcher : IConsumerDispatcher
{
    private readonly object _consumer;
    private readonly Dictionary<string, (MethodInfo Read, MethodInfo Handler)> _handlers = new(StringComparer.Ordinal);

    /// <summary>Finds <paramref name="consumer"/>'s handlers: instance methods named <c>Handle</c> taking a message and a token.</summary>
    /// <param name="consumer">The consumer.</param>
    public ReflectionDispatcher(object consumer)
    {
        _consumer = consumer;
        var read = typeof(ChannelMessage).GetMethod(nameof(ChannelMessage.Read))!;
        foreach (var method in consumer.GetType().GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            var parameters = method.GetParameters();
            if (method.Name != "Handle" || parameters.Length != 2 || parameters[1].ParameterType != typeof(CancellationToken))
            {
                continue;
            }

            var messageType = parameters[0].ParameterType;
            var type = (string)messageType.GetProperty("MessageType", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            _handlers.Add(type, (read.MakeGenericMethod(messageType), method));
        }
    }

    /// <summary>Gets how many handlers were found.</summary>
    public int Count => _handlers.Count;

    /// <inheritdoc />
    public bool TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
    {
        if (!_handlers.TryGetValue(message.Type, out var handler))
        {
            handling = default;
            return false;
        }

        var payload = handler.Read.Invoke(message, null);
        handling = (ValueTask)handler.Handler.Invoke(_consumer, [payload, cancellationToken])!;
        return true;
    }
}
