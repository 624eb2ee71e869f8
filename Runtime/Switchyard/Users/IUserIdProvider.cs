using System.Security.Claims;

namespace Switchyard;

/// <summary>
/// Says which user a connection belongs to (SignalR's <c>IUserIdProvider</c>). The server asks it once per WebSocket
/// connection, with the authenticated user of the request; a connection with a user id joins that user's group, which
/// <see cref="ChannelLayerUserExtensions.SendToUserAsync"/> and <see cref="ChannelLayerUserExtensions.DisconnectUserAsync"/>
/// reach on every process. Register your own as a singleton to use another claim or an id of your own.
/// </summary>
public interface IUserIdProvider
{
    /// <summary>Returns the user id of <paramref name="user"/>, or <see langword="null"/> when the connection belongs to no user.</summary>
    /// <param name="user">The request's user (not authenticated when nobody signed in).</param>
    /// <returns>The user id, or <see langword="null"/>.</returns>
    string? GetUserId(ClaimsPrincipal user);
}
