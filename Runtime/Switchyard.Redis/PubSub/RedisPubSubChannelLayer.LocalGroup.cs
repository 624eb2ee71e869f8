namespace Switchyard.Redis;

/// <content>The local members of one group.</content>
public sealed partial class RedisPubSubChannelLayer
{
    /// <summary>A group this process listens to, and its member channels in this process. Guarded by the layer's lock.</summary>
    private sealed class LocalGroup(string name, string key, int shard)
    {
        private ChannelBuffer[]? _snapshot;

        public string Name { get; } = name;

        public string Key { get; } = key;

        public int Shard { get; } = shard;

        /// <summary>Gets the member channels, by name. Call <see cref="MembersChanged"/> after changing it.</summary>
        public Dictionary<string, ChannelBuffer> Members { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets the members as an array, made once per membership change rather than once per message.</summary>
        public ChannelBuffer[] Snapshot => _snapshot ??= [.. Members.Values];

        public void MembersChanged() => _snapshot = null;
    }
}
