using System.Buffers;
using System.Globalization;
using System.Text;
using Switchyard.Redis.Security;
using Switchyard.Serialization;

namespace Switchyard.Redis;

/// <summary>
/// A message as it is stored in a Redis list: its expiry first, as 16 ASCII digits of Unix milliseconds that the Lua
/// scripts read without decoding anything else, then the message (type, headers, payload) in the compact binary form,
/// sealed when payload encryption is on.
/// </summary>
internal static class Envelope
{
    public const int ExpiryDigits = 16;

    public static byte[] Encode(ChannelMessage message, long expiresAtMs, PayloadEncryption? encryption)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = new ArrayBufferWriter<byte>(64 + message.Payload.Length);
        ChannelMessageFormat.Write(message, body);
        var content = encryption is null ? body.WrittenSpan : encryption.Encrypt(body.WrittenSpan);
        var entry = new byte[ExpiryDigits + content.Length];
        Encoding.ASCII.GetBytes(expiresAtMs.ToString("D16", CultureInfo.InvariantCulture), entry);
        content.CopyTo(entry.AsSpan(ExpiryDigits));
        return entry;
    }

    /// <summary>Reads an entry back.</summary>
    /// <exception cref="RedisLayerException">The entry is not one this layer wrote, or cannot be decrypted.</exception>
    public static (ChannelMessage Message, long ExpiresAtMs) Decode(ReadOnlySpan<byte> entry, PayloadEncryption? encryption)
    {
        if (entry.Length <= ExpiryDigits || !long.TryParse(entry[..ExpiryDigits], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            throw new RedisLayerException("An entry in Redis is not a Switchyard message (no expiry prefix); it was dropped.");
        }

        return (DecodeContent(entry[ExpiryDigits..], encryption), expiresAt);
    }

    /// <summary>
    /// Reads the head of a process-inbox entry: the expiry, then what the entry is for up to a newline (a local channel's
    /// local part, or <c>@group,version</c> for a group send), then the content for <see cref="DecodeContent"/>.
    /// </summary>
    /// <exception cref="RedisLayerException">The entry is not a process-inbox entry of this layer.</exception>
    public static (long ExpiresAtMs, string Head, int ContentStart) ReadInboxHead(ReadOnlySpan<byte> entry)
    {
        var newline = entry.Length > ExpiryDigits ? entry[ExpiryDigits..].IndexOf((byte)'\n') : -1;
        if (newline <= 0 || !long.TryParse(entry[..ExpiryDigits], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            throw new RedisLayerException("An entry in a process inbox is not a Switchyard message (no expiry or head); it was dropped.");
        }

        return (expiresAt, Encoding.ASCII.GetString(entry.Slice(ExpiryDigits, newline)), ExpiryDigits + newline + 1);
    }

    /// <summary>Reads the part of an entry after its expiry (and, in a process inbox, after its member list).</summary>
    /// <exception cref="RedisLayerException">The content is not one this layer wrote, or cannot be decrypted.</exception>
    public static ChannelMessage DecodeContent(ReadOnlySpan<byte> sealedContent, PayloadEncryption? encryption)
    {
        var content = encryption is null ? sealedContent : encryption.Decrypt(sealedContent);
        try
        {
            return ChannelMessageFormat.Read(content);
        }
        catch (FormatException ex)
        {
            throw new RedisLayerException($"An entry in Redis is not a valid Switchyard message ({ex.Message}); it was dropped.", ex);
        }
    }
}
