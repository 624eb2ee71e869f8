namespace Switchyard;

/// <summary>
/// The seam the Switchyard source generator plugs into: the generated half of a <c>partial</c> consumer implements
/// it with a switch from message type to handler method. Nothing is looked up by reflection; a consumer without
/// the generated half cannot run (see <see cref="ConsumerRunner"/>).
/// </summary>
/// <remarks>
/// <code>
/// // generated
/// partial class ChatConsumer : IConsumerDispatcher
/// {
///     bool IConsumerDispatcher.TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling)
///     {
///         switch (message.Type)
///         {
///             case "chat.message": handling = Handle(message.Read&lt;ChatMessage&gt;(), cancellationToken); return true;
///             default: handling = default; return false;
///         }
///     }
/// }
/// </code>
/// </remarks>
public interface IConsumerDispatcher
{
    /// <summary>Starts the handler for <paramref name="message"/>'s type, if this consumer has one.</summary>
    /// <param name="message">The message to handle.</param>
    /// <param name="cancellationToken">Cancelled when the consumer is aborted.</param>
    /// <param name="handling">The running handler; awaited before the next message is dispatched.</param>
    /// <returns><see langword="false"/> when no handler takes this message type.</returns>
    bool TryDispatch(ChannelMessage message, CancellationToken cancellationToken, out ValueTask handling);
}
