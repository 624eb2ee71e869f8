using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchyard.Samples.LiveBlog.Rendering;

/// <summary>
/// The Markdown a live blog needs, rendered to safe HTML (everything the author wrote is escaped first): paragraphs,
/// <c>#</c>–<c>###</c> headings, <c>-</c> lists, <c>&gt;</c> quotes, fenced code, <c>**bold**</c>, <c>*italic*</c>,
/// <c>`code`</c> and <c>[links](https://...)</c> (http, https and mailto only).
/// </summary>
public static partial class MarkdownRenderer
{
    public static string Render(string markdown)
    {
        var html = new StringBuilder();
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var paragraph = new List<string>();
        var inList = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
                {
                    code.Add(lines[i]);
                }

                html.Append("<pre><code>").Append(WebUtility.HtmlEncode(string.Join('\n', code))).Append("</code></pre>\n");
                continue;
            }

            if (line.Trim().Length == 0)
            {
                Flush();
                continue;
            }

            if (HeadingPattern().Match(line) is { Success: true } heading)
            {
                Flush();
                var level = heading.Groups[1].Length + 1;
                html.Append(CultureInvariant($"<h{level}>")).Append(Inline(heading.Groups[2].Value)).Append(CultureInvariant($"</h{level}>\n"));
                continue;
            }

            if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal))
            {
                FlushParagraph();
                if (!inList)
                {
                    html.Append("<ul>\n");
                    inList = true;
                }

                html.Append("<li>").Append(Inline(line[2..])).Append("</li>\n");
                continue;
            }

            if (line.StartsWith("> ", StringComparison.Ordinal))
            {
                Flush();
                html.Append("<blockquote>").Append(Inline(line[2..])).Append("</blockquote>\n");
                continue;
            }

            FlushList();
            paragraph.Add(line.Trim());
        }

        Flush();
        return html.ToString().TrimEnd('\n');

        void Flush()
        {
            FlushParagraph();
            FlushList();
        }

        void FlushParagraph()
        {
            if (paragraph.Count > 0)
            {
                html.Append("<p>").Append(Inline(string.Join(' ', paragraph))).Append("</p>\n");
                paragraph.Clear();
            }
        }

        void FlushList()
        {
            if (inList)
            {
                html.Append("</ul>\n");
                inList = false;
            }
        }
    }

    // Escapes first, then turns the (escaped) markers into tags, so nothing the author wrote becomes markup.
    private static string Inline(string text)
    {
        var escaped = WebUtility.HtmlEncode(text);
        escaped = CodePattern().Replace(escaped, "<code>$1</code>");
        escaped = BoldPattern().Replace(escaped, "<strong>$1</strong>");
        escaped = ItalicPattern().Replace(escaped, "<em>$1</em>");
        return LinkPattern().Replace(escaped, "<a href=\"$2\" rel=\"noopener\">$1</a>");
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    [GeneratedRegex(@"^(#{0,2})#\s+(.*)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex BoldPattern();

    [GeneratedRegex(@"\*([^*]+)\*")]
    private static partial Regex ItalicPattern();

    [GeneratedRegex(@"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s""]+)\)")]
    private static partial Regex LinkPattern();
}
