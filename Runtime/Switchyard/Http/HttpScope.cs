namespace Switchyard;

/// <summary>What an HTTP consumer knows of its request (the ASGI <c>http</c> scope).</summary>
public class HttpScope : ClientScope
{
    /// <summary>Creates a scope.</summary>
    /// <param name="channelName">The request's own channel: messages sent to it (or its groups) reach the consumer while the response is open.</param>
    /// <exception cref="ArgumentException"><paramref name="channelName"/> is not a valid channel name.</exception>
    public HttpScope(string channelName)
        : base(channelName)
    {
    }

    /// <summary>Gets the HTTP method.</summary>
    public string Method { get; init; } = "GET";
}
