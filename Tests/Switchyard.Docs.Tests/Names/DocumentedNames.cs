using System.Text.RegularExpressions;

namespace Switchyard.Docs.Tests.Names;

/// <summary>
/// Finds the .NET code names a Markdown document writes in inline code spans (not in fenced blocks, which the build
/// compiles elsewhere): a type, a member, a namespace, an attribute or a call, such as <c>ChannelLayerOptions</c>,
/// <c>ConsumerOptions.DrainTimeout</c>, <c>[JoinGroup("chat.{room}")]</c>, <c>SendAsync(channel, message)</c> or
/// <c>IOptions&lt;RedisChannelLayerOptions&gt;</c>. Spans that are not names of .NET code are left alone: file paths, commands,
/// JSON, URLs, header names, constants in capitals (<c>SWY0001</c>, <c>GET</c>), and anything that starts in lower
/// case (wire types like <c>chat.say</c>, TypeScript calls, locals such as <c>o.Layer</c>).
/// </summary>
public static partial class DocumentedNames
{
    public static IEnumerable<DocumentedName> Find(string markdown, string document)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var inFence = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            foreach (Match span in CodeSpan().Matches(line))
            {
                var text = (span.Groups["double"].Success ? span.Groups["double"].Value : span.Groups["single"].Value).Trim();
                if (IsCodeName(text))
                {
                    yield return new DocumentedName(text, document, i + 1);
                }
            }
        }
    }

    /// <summary>Whether a code span's text reads as the name of .NET code (see the class summary).</summary>
    public static bool IsCodeName(string text) =>
        CodeName().IsMatch(text) && text.Any(char.IsLower) && !FileName().IsMatch(text);

    [GeneratedRegex(@"``(?<double>.+?)``|`(?<single>[^`]+)`")]
    private static partial Regex CodeSpan();

    // [Attribute(...)], Type, Type<T>, Namespace.Type.Member, Member(arguments), chained calls; one optional trailing ';'.
    [GeneratedRegex(@"^\[?[A-Z][A-Za-z0-9_]*(<[^<>]*(<[^<>]*>)?[^<>]*>)?(\([^()]*(\([^()]*\))?[^()]*\))?(\.[A-Za-z_][A-Za-z0-9_]*(<[^<>]*>)?(\([^()]*(\([^()]*\))?[^()]*\))?)*\]?$")]
    private static partial Regex CodeName();

    [GeneratedRegex(@"\.(cs|csproj|slnx|sln|props|targets|md|json|ts|js|mjs|html|css|sh|txt|db|yml|yaml|xml|py|dll|exe|nupkg|trx|toml)$")]
    private static partial Regex FileName();
}
