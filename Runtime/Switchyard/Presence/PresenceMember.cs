using System.Buffers;
using Switchyard.Serialization;

namespace Switchyard;

/// <summary>One member of a group with presence (<see cref="ChannelLayerOptions.Presence"/>): who, since when, and what the application said of it.</summary>
/// <param name="Channel">The member's channel.</param>
/// <param name="UserId">The user it belongs to (<see cref="IUserIdProvider"/>), or <see langword="null"/>.</param>
/// <param name="Info">Small application data (such as a device or a display name), at most <see cref="MaxInfoLength"/> characters, or <see langword="null"/>.</param>
/// <param name="JoinedAt">When it joined, by the layer's clock.</param>
[Message]
public sealed record PresenceMember(string Channel, string? UserId, string? Info, DateTimeOffset JoinedAt)
{
    /// <summary>The longest <see cref="Info"/> a member may carry.</summary>
    public const int MaxInfoLength = 512;

    /// <summary>Returns what a channel layer stores for the member besides its channel: user id, info and join time, in the compact binary form.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new BinaryMessageWriter(buffer);
        writer.WriteString(UserId);
        writer.WriteString(Info);
        writer.WriteDateTimeOffset(JoinedAt);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads what <see cref="ToBytes"/> wrote, for the member of <paramref name="channel"/>.</summary>
    /// <param name="channel">The member's channel.</param>
    /// <param name="data">The bytes.</param>
    /// <returns>The member.</returns>
    /// <exception cref="FormatException">The bytes are not a member's.</exception>
    public static PresenceMember FromBytes(string channel, ReadOnlySpan<byte> data)
    {
        var reader = new BinaryMessageReader(data);
        var member = new PresenceMember(channel, reader.ReadString(), reader.ReadString(), reader.ReadDateTimeOffset());
        reader.EnsureAtEnd("presence member");
        return member;
    }
}
