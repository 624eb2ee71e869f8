using System.Text;
using Switchyard.Redis.Security;
using Xunit;

namespace Switchyard.Redis.Tests.Security;

public sealed class PayloadEncryptionTests
{
    [Fact]
    public void A_payload_round_trips_and_is_not_stored_in_clear()
    {
        using var encryption = new PayloadEncryption(["current"]);
        var plaintext = Encoding.UTF8.GetBytes("{\"type\":\"chat.message\",\"text\":\"secret plans\"}");
        var sealedPayload = encryption.Encrypt(plaintext);
        Assert.DoesNotContain("secret plans", Encoding.UTF8.GetString(sealedPayload), StringComparison.Ordinal);
        Assert.Equal(plaintext, encryption.Decrypt(sealedPayload));
        Assert.NotEqual(sealedPayload, encryption.Encrypt(plaintext));
    }

    [Fact]
    public void Keys_rotate_encrypt_with_the_first_decrypt_with_any()
    {
        using var old = new PayloadEncryption(["old"]);
        using var rotating = new PayloadEncryption(["new", "old"]);
        using var rotated = new PayloadEncryption(["new"]);
        var fromOld = old.Encrypt([1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, rotating.Decrypt(fromOld));
        var fromRotating = rotating.Encrypt([4, 5]);
        Assert.Equal(new byte[] { 4, 5 }, rotated.Decrypt(fromRotating));
        Assert.Throws<RedisLayerException>(() => rotated.Decrypt(fromOld));
    }

    [Fact]
    public void Tampered_or_foreign_payloads_are_refused_with_a_clear_error()
    {
        using var encryption = new PayloadEncryption(["k"]);
        var sealedPayload = encryption.Encrypt(Encoding.UTF8.GetBytes("hello"));
        sealedPayload[^1] ^= 1;
        Assert.Contains("could not be decrypted", Assert.Throws<RedisLayerException>(() => encryption.Decrypt(sealedPayload)).Message, StringComparison.Ordinal);
        Assert.Contains("not encrypted by this layer", Assert.Throws<RedisLayerException>(() => encryption.Decrypt("plain"u8)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PayloadEncryption([]));
        Assert.Throws<ArgumentException>(() => new PayloadEncryption([""]));
    }
}
