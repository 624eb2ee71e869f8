using System.Text.RegularExpressions;

namespace Switchyard.Docs.Tests.Names;

/// <summary>
/// Decides whether a documented name exists: <c>Namespace.Type.Member</c> must be a type with that member (its own,
/// inherited, or an extension method); a name that is not a type must be a member some type has; <c>[X]</c> must be
/// an attribute; the type arguments in <c>&lt;...&gt;</c> are checked too. Arguments in parentheses are not.
/// </summary>
public static partial class NameResolver
{
    /// <summary>Returns why <paramref name="text"/> names nothing that exists, or <see langword="null"/> when it does.</summary>
    public static string? Problem(KnownNames known, string text)
    {
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            var attribute = Split(text[1..^1]);
            var name = string.Join('.', attribute.Select(s => s.Name));
            var simple = attribute[^1].Name;
            return known.IsType(simple) || known.IsType(simple + "Attribute") ? null : $"no attribute {name} (type {simple}Attribute)";
        }

        var segments = Split(text);
        foreach (var argument in segments.SelectMany(s => s.TypeArguments))
        {
            if (!TypeParameter().IsMatch(argument) && char.IsUpper(argument[0]) && Problem(known, argument) is { } problem)
            {
                return problem;
            }
        }

        var names = segments.Select(s => s.Name).ToArray();
        var full = string.Join('.', names);
        if (known.IsNamespace(full) || known.IsBuildName(full) || known.IsString(text))
        {
            return null;
        }

        var start = 0;
        for (var k = names.Length - 1; k >= 1; k--)
        {
            if (known.IsNamespace(string.Join('.', names[..k])))
            {
                start = k;
                break;
            }
        }

        var head = names[start];
        var rest = names[(start + 1)..];
        if (known.IsType(head))
        {
            if (rest.Length == 0 || (known.HasMember(head, rest[0]) && rest[1..].All(known.IsMember)))
            {
                return null;
            }

            if (start > 0 || !known.IsMember(head))
            {
                return $"{head} has no member {rest[0]}";
            }
        }

        if (start == 0 && known.IsMember(head))
        {
            var missing = rest.FirstOrDefault(name => !known.IsMember(name));
            return missing is null ? null : $"no member {missing} on any type";
        }

        return start > 0 ? $"namespace {string.Join('.', names[..start])} has no type {head}" : $"no type, member or namespace {head}";
    }

    // Splits Type<A, B>.Member(arguments).Next at the dots outside brackets, keeping each segment's type arguments.
    private static List<Segment> Split(string text)
    {
        var segments = new List<Segment>();
        var name = new System.Text.StringBuilder();
        var arguments = new List<string>();
        var argument = new System.Text.StringBuilder();
        var angle = 0;
        var round = 0;
        foreach (var c in text)
        {
            switch (c)
            {
                case '(':
                    round++;
                    break;
                case ')':
                    round--;
                    break;
                case '<' when round == 0:
                    if (angle++ > 0)
                    {
                        argument.Append(c);
                    }

                    break;
                case '>' when round == 0:
                    if (--angle > 0)
                    {
                        argument.Append(c);
                    }
                    else
                    {
                        arguments.Add(argument.ToString().Trim());
                        argument.Clear();
                    }

                    break;
                case ',' when round == 0 && angle == 1:
                    arguments.Add(argument.ToString().Trim());
                    argument.Clear();
                    break;
                case '.' when round == 0 && angle == 0:
                    segments.Add(new Segment(name.ToString(), [.. arguments]));
                    name.Clear();
                    arguments.Clear();
                    break;
                default:
                    if (angle > 0 && round == 0)
                    {
                        argument.Append(c);
                    }
                    else if (round == 0)
                    {
                        name.Append(c);
                    }

                    break;
            }
        }

        segments.Add(new Segment(name.ToString(), [.. arguments]));
        return segments;
    }

    // T, R, TReply, TQuestion: a type parameter in a signature, not a type to look up.
    [GeneratedRegex("^(?:[A-Z]|T[A-Z][A-Za-z]*)$")]
    private static partial Regex TypeParameter();

    private sealed record Segment(string Name, string[] TypeArguments);
}
