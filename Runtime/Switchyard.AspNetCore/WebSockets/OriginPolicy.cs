namespace Switchyard.AspNetCore;

/// <summary>
/// Decides whether a WebSocket request's <c>Origin</c> may connect: the defence against cross-site WebSocket
/// hijacking (a page on another site opening a socket that carries the user's cookies).
/// </summary>
internal sealed class OriginPolicy
{
    private readonly bool _any;
    private readonly bool _requireOrigin;
    private readonly (string Scheme, string Host, int Port, bool Wildcard)[] _allowed;

    public OriginPolicy(SwitchyardServerOptions options)
    {
        _requireOrigin = options.RequireOrigin;
        _any = options.AllowedOrigins.Contains("*");
        _allowed = [.. options.AllowedOrigins.Where(o => o != "*").Select(Parse)];
    }

    public static void ValidateAllowedOrigin(string origin)
    {
        if (origin != "*")
        {
            Parse(origin);
        }
    }

    /// <summary>Returns <see langword="null"/> when the origin may connect, else why not.</summary>
    /// <param name="origin">The <c>Origin</c> header, if any.</param>
    /// <param name="scheme">The request's scheme (http/https).</param>
    /// <param name="host">The request's <c>Host</c> header.</param>
    public string? Check(string? origin, string scheme, string host)
    {
        if (string.IsNullOrEmpty(origin))
        {
            return _requireOrigin ? "the request has no Origin header and RequireOrigin is set" : null;
        }

        if (_any)
        {
            return null;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"the Origin '{origin}' is not an http(s) origin";
        }

        if (_allowed.Length == 0)
        {
            // Same origin: the page was served by this host (scheme differences such as a TLS-terminating proxy are tolerated).
            return Uri.TryCreate($"{scheme}://{host}", UriKind.Absolute, out var self)
                && string.Equals(uri.Host, self.Host, StringComparison.OrdinalIgnoreCase)
                && uri.Port == (self.IsDefaultPort ? DefaultPort(uri.Scheme) : self.Port)
                ? null
                : $"the Origin '{origin}' is not this server's origin ({host}) and no AllowedOrigins are configured";
        }

        foreach (var (allowedScheme, allowedHost, allowedPort, wildcard) in _allowed)
        {
            if (string.Equals(uri.Scheme, allowedScheme, StringComparison.OrdinalIgnoreCase)
                && uri.Port == allowedPort
                && (wildcard
                    ? uri.Host.EndsWith(allowedHost, StringComparison.OrdinalIgnoreCase) && uri.Host.Length > allowedHost.Length
                    : string.Equals(uri.Host, allowedHost, StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }
        }

        return $"the Origin '{origin}' is not in AllowedOrigins";
    }

    private static int DefaultPort(string scheme) => scheme == "https" ? 443 : 80;

    private static (string Scheme, string Host, int Port, bool Wildcard) Parse(string origin)
    {
        var wildcard = origin.Contains("://*.", StringComparison.Ordinal);
        var text = wildcard ? origin.Replace("://*.", "://", StringComparison.Ordinal) : origin;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
        {
            throw new ArgumentException(
                $"{nameof(SwitchyardServerOptions)}.{nameof(SwitchyardServerOptions.AllowedOrigins)} has '{origin}', which is not an origin: write 'https://example.com', 'https://*.example.com', 'http://localhost:5000' or '*'.");
        }

        return (uri.Scheme, wildcard ? "." + uri.Host : uri.Host, uri.Port, wildcard);
    }
}
