namespace Switchyard;

/// <summary>What a channel layer supports beyond send, receive and new channel (Django Channels' <c>extensions</c>).</summary>
[Flags]
public enum ChannelLayerCapabilities
{
    /// <summary>Only send, receive and new channel.</summary>
    None = 0,

    /// <summary>Group add, discard and send.</summary>
    Groups = 1,

    /// <summary>Flush: drop every message and group membership (for tests).</summary>
    Flush = 2,

    /// <summary>Channels and groups are shared with other processes.</summary>
    CrossProcess = 4,
}
