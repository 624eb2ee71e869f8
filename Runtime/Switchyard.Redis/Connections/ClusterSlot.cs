using System.Text;

namespace Switchyard.Redis.Connections;

/// <summary>
/// A key's Redis Cluster hash slot: CRC16 (XMODEM) of the key, or of its hash tag (the text between its first <c>{</c>
/// and the next <c>}</c>, when not empty), modulo 16384 (Redis Cluster specification, "Keys distribution model").
/// Computed here rather than asked of StackExchange.Redis, which answers "no slot" while it takes a node for a
/// standalone server (a single-node cluster that has not met another node lists itself without an address).
/// </summary>
internal static class ClusterSlot
{
    /// <summary>The number of hash slots of a Redis Cluster.</summary>
    public const int Count = 16384;

    public static int Of(string key)
    {
        ReadOnlySpan<byte> bytes = Encoding.UTF8.GetBytes(key);
        var open = bytes.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = bytes[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                bytes = bytes.Slice(open + 1, close);
            }
        }

        ushort crc = 0;
        foreach (var b in bytes)
        {
            crc ^= (ushort)(b << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc % Count;
    }
}
