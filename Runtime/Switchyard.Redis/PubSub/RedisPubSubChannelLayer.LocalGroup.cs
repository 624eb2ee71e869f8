namespace Switchyard.Redis;

/// <content>The local members of one group.</content>
public sealed partial class RedisPubSubChannelLayer
{
    /// <summary>A group this process listens to, and its member channels in this process. Guarded by the layer's lock.</summary>
    private sealed class LocalGroup(string key, int shard)
    {
        public string Key { get; } = key;

        public int Shard { get; } = shard;

        /// <summary>Gets the member channels, by name.</summary>
        public Dictionary<string, ChannelBuffer> Members { get; } = new(StringComparer.Ordinal);
    }
}
