using System.Security.Claims;

namespace Switchyard;

/// <summary>
/// The default <see cref="IUserIdProvider"/>: the value of an authenticated user's <see cref="ClaimTypes.NameIdentifier"/>
/// claim (as SignalR's default), or of the claim type given.
/// </summary>
/// <param name="claimType">The claim that holds the user id.</param>
public sealed class ClaimUserIdProvider(string claimType = ClaimTypes.NameIdentifier) : IUserIdProvider
{
    /// <inheritdoc />
    public string? GetUserId(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true && user.FindFirst(claimType)?.Value is { Length: > 0 } id ? id : null;
    }
}
