namespace Switchyard.Client.Internal;

/// <summary>What the client does with one message type: its <c>On</c> handlers and its <c>Handle</c> handler, if any.</summary>
internal sealed class MessageRoute
{
    /// <summary>Gets or sets the <c>On</c> handlers; replaced whole (copy on write) under the client's route lock.</summary>
    public volatile Subscription[] Subscriptions = [];

    /// <summary>Gets or sets the server-call handler.</summary>
    public volatile ServerCallHandler? CallHandler;
}
