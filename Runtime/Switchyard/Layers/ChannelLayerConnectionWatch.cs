using Switchyard.Internal;

namespace Switchyard;

/// <summary>
/// One consumer's interest in its layer's connection (see <see cref="ChannelLayer.ConnectionChanged"/>), kept in the
/// layer's intrusive list: joining and leaving cost O(1). A multicast event costs O(n) per subscribe and unsubscribe
/// (a new invocation list each time), which with 10,000 connections opening or closing at once was seconds of CPU and
/// hundreds of MB of garbage (issue 12, row 4).
/// </summary>
internal abstract class ChannelLayerConnectionWatch : IIntrusiveListNode<ChannelLayerConnectionWatch>
{
    // The layer's list; touched only under its lock.
    public ChannelLayerConnectionWatch? Next { get; set; }

    public ChannelLayerConnectionWatch? Previous { get; set; }

    public bool InList { get; set; }

    /// <summary>Called (on a thread-pool thread) when the layer loses its connection or has it back.</summary>
    /// <param name="args">What changed.</param>
    public abstract void OnConnectionChanged(ChannelLayerConnectionEventArgs args);
}
