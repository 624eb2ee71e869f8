using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard;

/// <summary>
/// The group of a user's connections: <c>switchyard.user.</c> and 128 bits of the SHA-256 of the user id (base64url),
/// so any user id (an e-mail address, a name with spaces, any length) makes a valid group name, the same on every
/// process, and the id itself is not written to the channel layer.
/// </summary>
public static class UserGroups
{
    /// <summary>The prefix of every user group; applications should not name their groups with it.</summary>
    public const string Prefix = "switchyard.user.";

    /// <summary>The type of the message that closes every connection of a user (<see cref="ChannelLayerUserExtensions.DisconnectUserAsync"/>).</summary>
    public const string DisconnectMessageType = "switchyard.user.disconnect";

    /// <summary>Returns the group of <paramref name="userId"/>'s connections.</summary>
    /// <param name="userId">The user id, as <see cref="IUserIdProvider"/> gives it.</param>
    /// <returns>The group name.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null or empty.</exception>
    public static string For(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(userId), hash);
        return Prefix + Base64Url.EncodeToString(hash[..16]);
    }
}
