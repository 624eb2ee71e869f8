namespace Switchyard.ChannelLayers.Specification;

/// <summary>Copies the options the kit sets onto a layer package's own <c>Layer</c> options (every backend's test class needs it).</summary>
public static class ChannelLayerOptionsCopy
{
    /// <summary>Copies capacity and its rules, expiry, group expiry, maximum message size, the full-member timeout, the group history rules and presence.</summary>
    /// <param name="from">The kit's options.</param>
    /// <param name="to">The layer's options.</param>
    public static void CopyTo(this ChannelLayerOptions from, ChannelLayerOptions to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        to.Capacity = from.Capacity;
        to.Expiry = from.Expiry;
        to.GroupExpiry = from.GroupExpiry;
        to.MaxMessageSize = from.MaxMessageSize;
        to.FullMemberTimeout = from.FullMemberTimeout;
        foreach (var rule in from.ChannelCapacity)
        {
            to.ChannelCapacity.Add(rule);
        }

        foreach (var rule in from.GroupHistory)
        {
            to.GroupHistory.Add(rule);
        }

        foreach (var rule in from.Presence)
        {
            to.Presence.Add(rule);
        }

        to.PresenceInterval = from.PresenceInterval;
        to.PresenceTimeout = from.PresenceTimeout;
    }
}
