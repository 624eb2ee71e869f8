namespace Switchyard;

/// <summary>One page of a group's member channels (<see cref="ChannelLayer.GroupMembersAsync"/>).</summary>
/// <param name="Channels">The member channels of this page, at most the page size asked for.</param>
/// <param name="NextCursor">
/// What to pass as the cursor for the next page; <see langword="null"/> when the listing is complete. Opaque: its form
/// is the layer's own.
/// </param>
public sealed record GroupMemberPage(IReadOnlyList<string> Channels, string? NextCursor);
