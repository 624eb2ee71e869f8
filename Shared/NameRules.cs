// The one statement of the channel-name, group-name and message-type rules. Not a project: linked into the runtime
// (Runtime/Switchyard, behind the public ChannelNames), the generator (SWY0007) and the analyzers (SWY1004) with
// <Compile Include="..." Link="..."/>, so it compiles as netstandard2.0 and as net10.0 and uses the BCL only.
namespace Switchyard.Internal;

/// <summary>
/// The name rules every channel layer enforces (Django Channels' <c>BaseChannelLayer</c>): a name is shorter than
/// <see cref="MaxLength"/> characters of ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c>. A channel name may
/// contain one <see cref="ProcessLocalSeparator"/>, not first, before its process-local part; group names and message
/// types never do. <see cref="Check"/> words a broken rule for the runtime's exceptions, <see cref="CheckAtCompileTime"/>
/// for the compiler's diagnostics; both read the verdict of one function.
/// </summary>
internal static class NameRules
{
    /// <summary>Names must be strictly shorter than this many characters.</summary>
    public const int MaxLength = 100;

    /// <summary>Separates the process part of a process-local channel name from its local suffix.</summary>
    public const char ProcessLocalSeparator = '!';

    /// <summary>The rule as the runtime's exception messages state it, after "Channel names " and the like.</summary>
    public const string Rule =
        "must be shorter than 100 characters and contain only ASCII letters, digits, hyphens, underscores or periods";

    private enum Fault
    {
        None,
        Null,
        Empty,
        TooLong,
        Character,
        LeadingSeparator,
        SecondSeparator,
        SeparatorNotAllowed,
    }

    /// <summary>Returns whether <paramref name="name"/> keeps every rule.</summary>
    /// <param name="name">The candidate name.</param>
    /// <param name="allowLocalPart">Whether a process-local <c>!</c> part is allowed (channel names).</param>
    public static bool IsValid(string? name, bool allowLocalPart) =>
        IsWellFormed(name, allowLocalPart) || Find(name, allowLocalPart, out _) == Fault.None;

    /// <summary>Returns what is wrong with <paramref name="name"/> in the runtime's words, or <see langword="null"/> when it is valid.</summary>
    /// <param name="name">The candidate name.</param>
    /// <param name="allowLocalPart">Whether a process-local <c>!</c> part is allowed (channel names).</param>
    public static string? Check(string? name, bool allowLocalPart) => IsWellFormed(name, allowLocalPart) ? null : Explain(name, allowLocalPart);

    /// <summary>
    /// Returns what is wrong with <paramref name="name"/> in the compiler's words (each problem says how to fix it), or
    /// <see langword="null"/> when it is valid.
    /// </summary>
    /// <param name="name">The name written in code.</param>
    /// <param name="allowLocalPart">Whether a process-local <c>!</c> part is allowed there.</param>
    public static string? CheckAtCompileTime(string name, bool allowLocalPart) => Find(name, allowLocalPart, out var i) switch
    {
        Fault.None => null,
        Fault.Null or Fault.Empty => "it is empty",
        Fault.TooLong => $"it is {name.Length} characters long; names must be shorter than {MaxLength}",
        Fault.LeadingSeparator or Fault.SecondSeparator =>
            $"'!' at position {i} is not allowed; a channel name has at most one '!', not first, before its process-local part",
        _ => $"character {Describe(name[i])} at position {i} is not allowed; use ASCII letters, digits, '-', '_' or '.'",
    };

    /// <summary>Returns whether <paramref name="c"/> may appear anywhere in a name (every allowed character but <c>!</c>).</summary>
    /// <param name="c">The character.</param>
    public static bool IsNameCharacter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.';

    // The runtime's words for what is wrong; kept out of Check so that the fast path inlines into the validators.
    private static string? Explain(string? name, bool allowLocalPart) => Find(name, allowLocalPart, out var i) switch
    {
        Fault.None => null,
        Fault.Null => "it is null",
        Fault.Empty => "it is empty",
        Fault.TooLong => $"it is {name!.Length} characters long",
        Fault.SecondSeparator => $"it contains a second '!' at position {i}",
        Fault.LeadingSeparator => "it starts with '!' (a process-local name needs a process part before the '!')",
        Fault.SeparatorNotAllowed => $"'!' at position {i} is only allowed in channel names",
        _ => $"character {Describe(name![i])} at position {i} is not allowed",
    };

    // Quotes a printable ASCII character and names any other by its code, so a message stays one readable line.
    private static string Describe(char c) => c is >= ' ' and <= '~' ? $"'{c}'" : $"U+{(int)c:X4}";

    // The rules. Returns the first one name breaks and, for a character, its position.
    private static Fault Find(string? name, bool allowLocalPart, out int position)
    {
        position = -1;
        if (name is null)
        {
            return Fault.Null;
        }

        if (name.Length == 0)
        {
            return Fault.Empty;
        }

        if (name.Length >= MaxLength)
        {
            return Fault.TooLong;
        }

        var bang = -1;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (IsNameCharacter(c))
            {
                continue;
            }

            position = i;
            if (c != ProcessLocalSeparator)
            {
                return Fault.Character;
            }

            if (!allowLocalPart)
            {
                return Fault.SeparatorNotAllowed;
            }

            if (bang >= 0)
            {
                return Fault.SecondSeparator;
            }

            if (i == 0)
            {
                return Fault.LeadingSeparator;
            }

            bang = i;
        }

        return Fault.None;
    }

#if NET8_0_OR_GREATER
    // The runtime's fast path, taken by every valid name (the layers check each name they are given): one vectorised
    // scan, or two around a single '!' that is not first. It accepts only names that the loop in Find accepts
    // (NameCharacters is IsNameCharacter as a set; Tests/Switchyard.Generators.Tests/Driver/NameRulesAgreementTests.cs
    // holds this build to the generator's, which has no fast path); false sends the name to that loop.
    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

    private static bool IsWellFormed(string? name, bool allowLocalPart) =>
        name is { Length: > 0 and < MaxLength } && IsWellFormed(name.AsSpan(), allowLocalPart);

    private static bool IsWellFormed(ReadOnlySpan<char> name, bool allowLocalPart)
    {
        var other = name.IndexOfAnyExcept(NameCharacters);
        return other < 0 ||
            (allowLocalPart && other > 0 && name[other] == ProcessLocalSeparator && !name[(other + 1)..].ContainsAnyExcept(NameCharacters));
    }
#else
    // The compiler checks a handful of literals per build; the loop in Find is fast enough.
    private static bool IsWellFormed(string? name, bool allowLocalPart) => false;
#endif
}
