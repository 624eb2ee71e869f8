namespace Switchyard.Samples.Chat;

// What the Switchyard source generator emits for the two consumers above (issue #3 generates it from the
// handler signatures): a switch from message type to handler, with no reflection. Written by hand until then.

public sealed partial class RoomMemberConsumer : IConsumerDispatcher
{
    bool IConsumerDispatcher.TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
    {
        switch (message.Type)
        {
            case "chat.message":
                handling = Handle(message.Read<ChatMessage>(), cancellationToken);
                return true;
            default:
                handling = default;
                return false;
        }
    }
}

public sealed partial class ModeratorConsumer : IConsumerDispatcher
{
    bool IConsumerDispatcher.TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
    {
        switch (message.Type)
        {
            case "chat.message":
                handling = Handle(message.Read<ChatMessage>(), cancellationToken);
                return true;
            default:
                handling = default;
                return false;
        }
    }
}
