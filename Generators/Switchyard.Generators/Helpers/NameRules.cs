namespace Switchyard.Generators.Helpers;

/// <summary>
/// The channel- and group-name rules of <c>Switchyard.ChannelNames</c>, restated for compile time: shorter than 100
/// characters, ASCII letters, digits, '-', '_' and '.'; a channel name may have one '!' (not first) before its
/// process-local part. Shared by the generator (attribute arguments) and the analyzers (string literals in calls).
/// </summary>
internal static class NameRules
{
    /// <summary>Returns what is wrong with <paramref name="name"/>, or <see langword="null"/> when it is valid.</summary>
    public static string? Check(string name, bool allowLocalPart)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.Length >= 100)
        {
            return $"it is {name.Length} characters long; names must be shorter than 100";
        }

        var bang = -1;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.')
            {
                continue;
            }

            if (c == '!' && allowLocalPart && bang < 0 && i > 0)
            {
                bang = i;
                continue;
            }

            return c == '!' && allowLocalPart
                ? $"'!' at position {i} is not allowed; a channel name has at most one '!', not first, before its process-local part"
                : $"character '{c}' at position {i} is not allowed; use ASCII letters, digits, '-', '_' or '.'";
        }

        return null;
    }
}
