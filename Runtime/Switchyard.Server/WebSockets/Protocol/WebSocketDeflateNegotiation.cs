namespace Switchyard.Server;

/// <summary>
/// The server's side of the permessage-deflate negotiation (RFC 7692 §5, §7.1): reads the client's offers from its
/// <c>Sec-WebSocket-Extensions</c> header and accepts the first one it can honour, always with
/// <c>server_no_context_takeover</c> and <c>client_no_context_takeover</c> (§7.1.1: a server may add both), so no
/// connection keeps a compression context between messages: an idle connection holds no DEFLATE state, and one
/// compressed group message serves every member.
/// </summary>
internal static class WebSocketDeflateNegotiation
{
    /// <summary>The extension's name.</summary>
    public const string ExtensionName = "permessage-deflate";

    /// <summary>The response to an offer this server accepts.</summary>
    public const string Response = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    /// <summary>
    /// Returns whether one of the offers can be accepted. An offer is declined when it has an unknown or repeated
    /// parameter or a malformed value (§7.1: the server must decline such an offer), or asks this server to use a
    /// window smaller than the 32 KiB its compressor uses (<c>server_max_window_bits</c> below 15).
    /// </summary>
    /// <param name="headerValues">The values of the request's <c>Sec-WebSocket-Extensions</c> headers.</param>
    /// <returns>Whether to answer with <see cref="Response"/>.</returns>
    public static bool TryAccept(IEnumerable<string?> headerValues)
    {
        foreach (var value in headerValues)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            foreach (var offer in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (IsAcceptable(offer))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsAcceptable(string offer)
    {
        var parts = offer.Split(';', StringSplitOptions.TrimEntries);
        if (!string.Equals(parts[0], ExtensionName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in parts.AsSpan(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? parameter : parameter[..equals]).Trim();
            var argument = equals < 0 ? null : parameter[(equals + 1)..].Trim().Trim('"');
            if (!seen.Add(name))
            {
                return false;
            }

            switch (name.ToLowerInvariant())
            {
                case "server_no_context_takeover" or "client_no_context_takeover" when argument is null:
                    break;
                case "client_max_window_bits" when argument is null || IsWindowBits(argument, out _):
                    // The client's compressor may use a smaller window; the decompressor takes any.
                    break;
                case "server_max_window_bits" when argument is not null && IsWindowBits(argument, out var bits):
                    if (bits < 15)
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static bool IsWindowBits(string argument, out int bits) =>
        int.TryParse(argument, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) && bits is >= 8 and <= 15;
}
