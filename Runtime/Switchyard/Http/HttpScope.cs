using System.Net;

namespace Switchyard;

/// <summary>What an HTTP consumer knows of its request (the ASGI <c>http</c> scope).</summary>
public class HttpScope : ConsumerScope
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>(0);

    /// <summary>Creates a scope.</summary>
    /// <param name="channelName">The request's own channel: messages sent to it (or its groups) reach the consumer while the response is open.</param>
    /// <exception cref="ArgumentException"><paramref name="channelName"/> is not a valid channel name.</exception>
    public HttpScope(string channelName)
        : base(channelName)
    {
    }

    /// <summary>Gets the HTTP method.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Gets the request path.</summary>
    public string Path { get; init; } = "/";

    /// <summary>Gets the query string including its leading <c>?</c>, or an empty string.</summary>
    public string QueryString { get; init; } = string.Empty;

    /// <summary>Gets the request headers (case-insensitive names; repeated headers joined with commas).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>Gets the client's address, when known.</summary>
    public IPAddress? RemoteAddress { get; init; }
}
