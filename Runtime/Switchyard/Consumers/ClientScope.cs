using System.Net;

namespace Switchyard;

/// <summary>
/// What a consumer serving a client's request knows of it: path, query, headers and address. The base of
/// <see cref="WebSocketScope"/> and <see cref="HttpScope"/>.
/// </summary>
public abstract class ClientScope : ConsumerScope
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>(0);

    /// <summary>Creates a scope.</summary>
    /// <param name="channelName">The consumer's own channel: group sends and direct sends to it reach the consumer.</param>
    /// <exception cref="ArgumentException"><paramref name="channelName"/> is not a valid channel name.</exception>
    protected ClientScope(string channelName)
        : base(channelName)
    {
    }

    /// <summary>Gets the request path, such as <c>/ws/chat/lobby/</c>.</summary>
    public string Path { get; init; } = "/";

    /// <summary>Gets the query string including its leading <c>?</c>, or an empty string.</summary>
    public string QueryString { get; init; } = string.Empty;

    /// <summary>Gets the request headers (case-insensitive names; repeated headers joined with commas).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>Gets the client's address, when known.</summary>
    public IPAddress? RemoteAddress { get; init; }
}
