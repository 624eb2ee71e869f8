using System.Security.Claims;

namespace Switchyard;

/// <summary>
/// What a consumer knows of the connection or channel it serves: its own channel name, the route values it was
/// matched with, the authenticated user and per-consumer items. Server integrations derive richer scopes.
/// </summary>
public class ConsumerScope
{
    private static readonly IReadOnlyDictionary<string, string> NoRouteValues = new Dictionary<string, string>(0);

    private Dictionary<string, object?>? _items;

    /// <summary>Creates a scope.</summary>
    /// <param name="channelName">The channel the consumer receives on: a process-local name for a connection, a named channel for a worker.</param>
    /// <exception cref="ArgumentException"><paramref name="channelName"/> is not a valid channel name.</exception>
    public ConsumerScope(string channelName)
    {
        ChannelNames.ValidateChannelName(channelName);
        ChannelName = channelName;
    }

    /// <summary>Gets the channel this consumer receives on; group memberships are recorded for it.</summary>
    public string ChannelName { get; }

    /// <summary>Gets the route values captured from the route template, such as <c>room</c> in <c>/ws/chat/{room}/</c>.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; init; } = NoRouteValues;

    /// <summary>Gets the authenticated user, when the server knows one.</summary>
    public ClaimsPrincipal? User { get; init; }

    /// <summary>
    /// Gets the id of the user the connection belongs to (<see cref="IUserIdProvider"/>), or <see langword="null"/>. A
    /// consumer with one is a member of its user's group (<see cref="UserGroups.For"/>) while it runs.
    /// </summary>
    public string? UserId { get; init; }

    /// <summary>Gets the services of the consumer's dependency-injection scope, when it has one.</summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>Gets a bag for middleware and the consumer to share per-consumer state.</summary>
    public IDictionary<string, object?> Items => _items ??= new Dictionary<string, object?>(StringComparer.Ordinal);
}
