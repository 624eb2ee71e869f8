using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Switchyard.Server;

/// <summary>Unmasks client payloads (RFC 6455 §5.3): XOR with the 4-byte key, a vector at a time.</summary>
internal static class WebSocketMask
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, unmasking it.</summary>
    /// <param name="source">Masked bytes.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    /// <param name="maskKey">The key as read from the header (a little-endian load of the 4 key bytes).</param>
    /// <param name="maskOffset">How many payload bytes of this frame came before <paramref name="source"/>, modulo 4.</param>
    /// <returns>The mask offset after these bytes.</returns>
    public static int Unmask(in ReadOnlySequence<byte> source, Span<byte> destination, uint maskKey, int maskOffset)
    {
        foreach (var segment in source)
        {
            var span = segment.Span;
            span.CopyTo(destination);
            Apply(destination[..span.Length], maskKey, maskOffset);
            maskOffset = (maskOffset + span.Length) & 3;
            destination = destination[span.Length..];
        }

        return maskOffset;
    }

    /// <summary>XORs <paramref name="data"/> in place with the key rotated by <paramref name="maskOffset"/> bytes.</summary>
    public static void Apply(Span<byte> data, uint maskKey, int maskOffset)
    {
        if (maskOffset != 0)
        {
            maskKey = BitOperations.RotateRight(maskKey, maskOffset * 8);
        }

        var i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<byte>.Count)
        {
            // Each uint lane holds the four key bytes in order (little-endian), so the byte view repeats the key.
            var key = Vector.AsVectorByte(new Vector<uint>(maskKey));
            var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(data);
            for (var v = 0; v < vectors.Length; v++)
            {
                vectors[v] ^= key;
            }

            i = vectors.Length * Vector<byte>.Count;
        }

        var wideKey = ((ulong)maskKey << 32) | maskKey;
        for (; i + sizeof(ulong) <= data.Length; i += sizeof(ulong))
        {
            var word = data.Slice(i, sizeof(ulong));
            MemoryMarshal.Write(word, MemoryMarshal.Read<ulong>(word) ^ wideKey);
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= (byte)(maskKey >> ((i & 3) * 8));
        }
    }
}
