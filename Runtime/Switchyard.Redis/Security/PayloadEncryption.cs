using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Redis.Security;

/// <summary>
/// Optional symmetric encryption of message payloads at rest in Redis (channels_redis' <c>symmetric_encryption_keys</c>,
/// with AES-256-GCM instead of Fernet): encrypt with the first key, decrypt with any, so keys rotate by putting the new
/// one first and dropping the old one once nothing written with it can still be queued. A payload that no key opens
/// (tampered, or written with an unknown key) is an error, never garbage handed to a consumer.
/// </summary>
internal sealed class PayloadEncryption : IDisposable
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;
    private readonly AesGcm[] _keys;

    /// <summary>Creates the encryption from secrets; each is stretched to a 256-bit key with SHA-256, as channels_redis does.</summary>
    /// <exception cref="ArgumentException">No key, or an empty one.</exception>
    public PayloadEncryption(IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count == 0 || secrets.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Symmetric encryption needs at least one key, and no key may be empty.", nameof(secrets));
        }

        _keys = [.. secrets.Select(secret => new AesGcm(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), TagSize))];
    }

    /// <summary>Returns the sealed form of <paramref name="plaintext"/>: version, random nonce, ciphertext, tag.</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext)
    {
        var sealedPayload = new byte[Overhead + plaintext.Length];
        sealedPayload[0] = Version;
        var nonce = sealedPayload.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _keys[0].Encrypt(nonce, plaintext, sealedPayload.AsSpan(1 + NonceSize, plaintext.Length), sealedPayload.AsSpan(1 + NonceSize + plaintext.Length, TagSize));
        return sealedPayload;
    }

    /// <summary>Opens a payload sealed with any of the keys.</summary>
    /// <exception cref="RedisLayerException">The payload is not sealed by this layer, was changed, or no key opens it.</exception>
    public byte[] Decrypt(ReadOnlySpan<byte> sealedPayload)
    {
        if (sealedPayload.Length < Overhead || sealedPayload[0] != Version)
        {
            throw new RedisLayerException("A message in Redis is not encrypted by this layer (too short or an unknown format version); it was dropped.");
        }

        var nonce = sealedPayload.Slice(1, NonceSize);
        var ciphertext = sealedPayload[(1 + NonceSize)..^TagSize];
        var tag = sealedPayload[^TagSize..];
        var plaintext = new byte[ciphertext.Length];
        foreach (var key in _keys)
        {
            try
            {
                key.Decrypt(nonce, ciphertext, tag, plaintext);
                return plaintext;
            }
            catch (AuthenticationTagMismatchException)
            {
                // Not this key; try the next.
            }
        }

        throw new RedisLayerException("A message in Redis could not be decrypted with any configured key (tampered, or sealed with a key no longer configured); it was dropped.");
    }

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }
}
