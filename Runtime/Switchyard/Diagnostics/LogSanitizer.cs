using System.Buffers;
using System.Globalization;
using System.Text;

namespace Switchyard;

/// <summary>
/// Makes a string that a client controls (a path, a route value, a message type, a header, a user name) safe to put in
/// a log line: control characters, line and paragraph separators and bidirectional overrides are escaped, so the
/// value cannot end the line or forge another one, and the value is cut to a length. Every Switchyard log event that
/// carries client data passes it through here; use it in your own log calls with client data.
/// </summary>
/// <remarks>
/// <c>\r</c>, <c>\n</c> and <c>\t</c> are shown as those two-character escapes, any other such character as
/// <c>\uXXXX</c>; a value longer than the limit keeps its first characters and ends with <c>…(+N)</c>, N being the
/// characters left out. A value with nothing to escape and within the limit is returned as it is, without copying.
/// </remarks>
public static class LogSanitizer
{
    /// <summary>The default limit: values are cut to this many characters.</summary>
    public const int DefaultMaxLength = 200;

    // C0 controls, DEL, C1 controls (NEL among them), the Unicode line and paragraph separators and the
    // bidirectional embedding, override and isolate characters, which reorder what a terminal shows.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
        "\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F" +
        "\u2028\u2029\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    /// <summary>Returns <paramref name="value"/> escaped and cut to <paramref name="maxLength"/> characters for a log line.</summary>
    /// <param name="value">A client-controlled string; <see langword="null"/> gives an empty string.</param>
    /// <param name="maxLength">The most characters of <paramref name="value"/> kept (escapes make the result longer); at least 1.</param>
    /// <returns>The value itself when it is safe and short enough, else an escaped, shortened copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is less than 1.</exception>
    public static string Sanitize(string? value, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var kept = value.AsSpan(0, Math.Min(value.Length, maxLength));
        if (kept.Length == value.Length && !kept.ContainsAny(Unsafe))
        {
            return value;
        }

        if (kept.Length < value.Length && char.IsHighSurrogate(kept[^1]))
        {
            // Cut before a pair, not through it.
            kept = kept[..^1];
        }

        var builder = new StringBuilder(kept.Length + 16);
        foreach (var c in kept)
        {
            switch (c)
            {
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (Unsafe.Contains(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        if (kept.Length < value.Length)
        {
            builder.Append("…(+").Append((value.Length - kept.Length).ToString(CultureInfo.InvariantCulture)).Append(')');
        }

        return builder.ToString();
    }
}
