namespace Switchyard;

/// <summary>One member of a group with presence (<see cref="ChannelLayerOptions.Presence"/>): who, since when, and what the application said of it.</summary>
/// <param name="Channel">The member's channel.</param>
/// <param name="UserId">The user it belongs to (<see cref="IUserIdProvider"/>), or <see langword="null"/>.</param>
/// <param name="Info">Small application data (such as a device or a display name), at most <see cref="MaxInfoLength"/> characters, or <see langword="null"/>.</param>
/// <param name="JoinedAt">When it joined, by the layer's clock.</param>
public sealed record PresenceMember(string Channel, string? UserId, string? Info, DateTimeOffset JoinedAt)
{
    /// <summary>The longest <see cref="Info"/> a member may carry.</summary>
    public const int MaxInfoLength = 512;
}
