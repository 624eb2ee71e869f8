namespace Switchyard;

/// <summary>Why a consumer stopped; returned by <see cref="ConsumerRunner.RunAsync"/>.</summary>
public enum ConsumerStopReason
{
    /// <summary>The consumer asked to stop (<see cref="Consumer.StopConsumer"/> or <see cref="ConsumerRunner.Stop"/>).</summary>
    Requested,

    /// <summary>The host is shutting down (the token passed to <see cref="ConsumerRunner.RunAsync"/> was cancelled).</summary>
    Shutdown,

    /// <summary>A handler or lifecycle hook threw; the exception was logged.</summary>
    Faulted,

    /// <summary>The channel layer was closed under the consumer.</summary>
    LayerClosed,

    /// <summary>Every connection of the consumer's user was closed (<see cref="ChannelLayerUserExtensions.DisconnectUserAsync"/>).</summary>
    UserDisconnected,
}
