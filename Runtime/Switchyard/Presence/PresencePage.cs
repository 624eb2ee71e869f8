namespace Switchyard;

/// <summary>One page of a group's present members (<see cref="ChannelLayer.GroupPresenceAsync"/>).</summary>
/// <param name="Members">The members of this page, at most the page size asked for.</param>
/// <param name="NextCursor">What to pass as the cursor for the next page; <see langword="null"/> when the listing is complete.</param>
public sealed record PresencePage(IReadOnlyList<PresenceMember> Members, string? NextCursor);
