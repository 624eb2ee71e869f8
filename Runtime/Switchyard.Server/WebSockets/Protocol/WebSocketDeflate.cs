using System.Buffers;
using System.IO.Compression;

namespace Switchyard.Server;

/// <summary>
/// Compresses and decompresses one message of the permessage-deflate extension (RFC 7692 §7.2) with no context
/// takeover: every message is a raw DEFLATE stream of its own, ended by a sync flush whose last four bytes
/// (<c>00 00 FF FF</c>) the sender removes and the receiver appends again. Without shared context one compressed
/// frame is valid for every client, so a group message is compressed once and its bytes shared.
/// </summary>
internal static class WebSocketDeflate
{
    // RFC 7692 §7.2.1: the tail of the sync flush that ends every compressed message.
    private static ReadOnlySpan<byte> SyncFlushTail => [0x00, 0x00, 0xFF, 0xFF];

    /// <summary>Compresses a message into an array of exactly its compressed size.</summary>
    /// <param name="payload">The message.</param>
    /// <returns>The compressed message, without the sync flush tail.</returns>
    public static byte[] Compress(ReadOnlySpan<byte> payload)
    {
        var output = CompressToStream(payload, out var length);
        return output.GetBuffer().AsSpan(0, length).ToArray();
    }

    /// <summary>Compresses a message into a pooled array.</summary>
    /// <param name="payload">The message.</param>
    /// <param name="length">The compressed length.</param>
    /// <returns>A pooled array holding the compressed message in its first <paramref name="length"/> bytes.</returns>
    public static byte[] CompressRented(ReadOnlySpan<byte> payload, out int length)
    {
        var output = CompressToStream(payload, out length);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        output.GetBuffer().AsSpan(0, length).CopyTo(rented);
        return rented;
    }

    /// <summary>
    /// Decompresses a message, never into more than <paramref name="maxLength"/> bytes: a message that inflates beyond
    /// the limit (a decompression bomb as much as an honest large message) stops being read at the limit.
    /// </summary>
    /// <param name="compressed">The compressed message as received (without the sync flush tail).</param>
    /// <param name="maxLength">The most bytes the message may inflate to.</param>
    /// <param name="rented">The pooled array holding the message, on success.</param>
    /// <param name="length">The message's length, on success.</param>
    /// <returns>0 on success, else the close code: 1009 when the message is larger than the limit, 1007 when it is not valid DEFLATE data.</returns>
    public static int TryDecompress(ReadOnlySpan<byte> compressed, int maxLength, out byte[]? rented, out int length)
    {
        var input = ArrayPool<byte>.Shared.Rent(compressed.Length + SyncFlushTail.Length);
        compressed.CopyTo(input);
        SyncFlushTail.CopyTo(input.AsSpan(compressed.Length));
        // One byte over the limit is read at most: that byte is how a message too large (or a bomb) is noticed.
        var cap = maxLength == int.MaxValue ? int.MaxValue : maxLength + 1;
        var output = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(compressed.Length * 4L, 256), cap));
        length = 0;
        try
        {
            using var inflater = new DeflateStream(new MemoryStream(input, 0, compressed.Length + SyncFlushTail.Length, writable: false), CompressionMode.Decompress);
            while (true)
            {
                if (length == output.Length)
                {
                    if (length > maxLength)
                    {
                        break;
                    }

                    var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(output.Length * 2L, cap));
                    output.AsSpan(0, length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(output);
                    output = grown;
                }

                var read = inflater.Read(output, length, Math.Min(output.Length, cap) - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(output);
            rented = null;
            length = 0;
            return WebSocketCloseCodes.InvalidPayloadData;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }

        if (length > maxLength)
        {
            ArrayPool<byte>.Shared.Return(output);
            rented = null;
            length = 0;
            return WebSocketCloseCodes.MessageTooBig;
        }

        rented = output;
        return 0;
    }

    private static MemoryStream CompressToStream(ReadOnlySpan<byte> payload, out int length)
    {
        var output = new MemoryStream(payload.Length / 2 + 64);
        if (payload.IsEmpty)
        {
            // DEFLATE writes nothing for nothing; an empty message is one empty stored block whose tail is cut
            // (RFC 7692 §7.2.3.6): the single byte 00.
            output.WriteByte(0x00);
            length = 1;
            return output;
        }

        using (var deflater = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflater.Write(payload);

            // A sync flush: the output ends on a byte boundary with an empty stored block, 00 00 FF FF, which is cut.
            deflater.Flush();
            length = (int)output.Length - SyncFlushTail.Length;
            if (length < 0 || !output.GetBuffer().AsSpan(length, SyncFlushTail.Length).SequenceEqual(SyncFlushTail))
            {
                throw new InvalidOperationException("DEFLATE's sync flush did not end with 00 00 FF FF.");
            }
        }

        return output;
    }
}
