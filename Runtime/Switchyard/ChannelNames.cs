using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Switchyard.Internal;

namespace Switchyard;

/// <summary>
/// The one validator for channel names, group names and message types, shared by every channel layer.
/// </summary>
/// <remarks>
/// The rules are Django Channels' (<c>channels/layers.py</c>, <c>BaseChannelLayer</c>): a name is shorter than
/// <see cref="MaxLength"/> characters and made of ASCII letters, digits, hyphens, underscores and periods.
/// A channel name may contain one <c>!</c>: the part up to and including it names the process that owns the
/// channel and the part after it names the channel inside that process (a <em>process-local</em> or
/// <em>specific</em> channel, as returned by <see cref="ChannelLayer.NewChannelAsync"/>). Group names and
/// message types never contain <c>!</c>.
/// <para>
/// The rules themselves are stated once, in <c>Shared/NameRules.cs</c>, which the source generator and the analyzers
/// compile too: their diagnostics (SWY0007, SWY1004) apply the same rules at build time to the names written in code.
/// </para>
/// </remarks>
public static class ChannelNames
{
    /// <summary>Names must be strictly shorter than this many characters.</summary>
    public const int MaxLength = NameRules.MaxLength;

    /// <summary>Separates the process part of a process-local channel name from its local suffix.</summary>
    public const char ProcessLocalSeparator = NameRules.ProcessLocalSeparator;

    private const string Rule = NameRules.Rule;

    /// <summary>Returns whether <paramref name="name"/> is a valid channel name.</summary>
    /// <param name="name">The candidate name.</param>
    /// <returns><see langword="true"/> when the name can be used with <see cref="ChannelLayer.SendAsync"/>.</returns>
    public static bool IsValidChannelName([NotNullWhen(true)] string? name) => NameRules.IsValid(name, allowLocalPart: true);

    /// <summary>Returns whether <paramref name="name"/> is a valid group name.</summary>
    /// <param name="name">The candidate name.</param>
    /// <returns><see langword="true"/> when the name can be used with <see cref="ChannelLayer.GroupAddAsync"/>.</returns>
    public static bool IsValidGroupName([NotNullWhen(true)] string? name) => NameRules.IsValid(name, allowLocalPart: false);

    /// <summary>Throws when <paramref name="name"/> is not a valid channel name.</summary>
    /// <param name="name">The name to check.</param>
    /// <param name="paramName">The caller's parameter name, filled in by the compiler.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name breaks a rule; the message names the name and the rule.</exception>
    public static void ValidateChannelName([NotNull] string? name, [CallerArgumentExpression(nameof(name))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (NameRules.Check(name, allowLocalPart: true) is { } problem)
        {
            throw new ArgumentException(
                $"Channel name '{Printable(name)}' is invalid: {problem}. Channel names {Rule}, with at most one '!' that separates a process-local suffix.",
                paramName);
        }
    }

    /// <summary>Throws when <paramref name="name"/> is not a valid group name.</summary>
    /// <param name="name">The name to check.</param>
    /// <param name="paramName">The caller's parameter name, filled in by the compiler.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name breaks a rule; the message names the name and the rule.</exception>
    public static void ValidateGroupName([NotNull] string? name, [CallerArgumentExpression(nameof(name))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (NameRules.Check(name, allowLocalPart: false) is { } problem)
        {
            throw new ArgumentException($"Group name '{Printable(name)}' is invalid: {problem}. Group names {Rule}.", paramName);
        }
    }

    /// <summary>Throws when <paramref name="type"/> is not a valid message type such as <c>chat.message</c>.</summary>
    /// <param name="type">The message type to check.</param>
    /// <param name="paramName">The caller's parameter name, filled in by the compiler.</param>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The type breaks a rule; the message names the type and the rule.</exception>
    public static void ValidateMessageType([NotNull] string? type, [CallerArgumentExpression(nameof(type))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(type, paramName);
        if (NameRules.Check(type, allowLocalPart: false) is { } problem)
        {
            throw new ArgumentException($"Message type '{Printable(type)}' is invalid: {problem}. Message types {Rule}.", paramName);
        }
    }

    /// <summary>Returns whether <paramref name="channel"/> is process-local (contains <c>!</c>).</summary>
    /// <param name="channel">A valid channel name.</param>
    /// <returns><see langword="true"/> for names such as <c>specific.a1b2!c3d4</c>.</returns>
    public static bool IsProcessLocal(string channel) => channel.Contains(ProcessLocalSeparator, StringComparison.Ordinal);

    /// <summary>
    /// Returns the non-local part of a channel name: up to and including the <c>!</c> for a process-local
    /// channel, the whole name otherwise. Layers that share one receive loop per process key on it.
    /// </summary>
    /// <param name="channel">A valid channel name.</param>
    /// <returns>The part of the name that identifies the owning process, or the whole name.</returns>
    public static string NonLocalPart(string channel)
    {
        var bang = channel.IndexOf(ProcessLocalSeparator, StringComparison.Ordinal);
        return bang < 0 ? channel : channel[..(bang + 1)];
    }

    // Keeps exception messages one readable line even for hostile input.
    private static string Printable(string name)
    {
        var shown = name.Length > MaxLength + 20 ? name[..(MaxLength + 20)] + "…" : name;
        foreach (var c in shown)
        {
            if (c is < ' ' or > '~')
            {
                return string.Create(shown.Length, shown, static (span, s) =>
                {
                    for (var i = 0; i < s.Length; i++)
                    {
                        span[i] = s[i] is >= ' ' and <= '~' or '…' ? s[i] : '?';
                    }
                });
            }
        }

        return shown;
    }
}
