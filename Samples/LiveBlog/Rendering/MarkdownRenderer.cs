using Markdig;
using Markdig.Extensions.EmphasisExtras;

namespace Switchyard.Samples.LiveBlog.Rendering;

/// <summary>
/// A post's Markdown rendered to HTML that the page can insert as it is: CommonMark by Markdig, with raw HTML turned
/// off (an author's <c>&lt;script&gt;</c> or <c>&lt;img onerror=…&gt;</c> is shown as text, escaped, never passed
/// through) and only http, https and mailto URLs kept as links (<see cref="SafeLinkSchemesExtension"/>).
/// </summary>
/// <remarks>
/// Beyond CommonMark (paragraphs, headings, lists, quotes, code, emphasis, links and images), the pipeline has only
/// what a live blog uses:
/// <list type="bullet">
/// <item><description>autolinks: a bare <c>https://…</c>, <c>www.…</c> or e-mail address pasted during an event becomes
/// a link without the author writing <c>[…](…)</c>;</description></item>
/// <item><description>pipe tables: scores, results and schedules;</description></item>
/// <item><description>strikethrough (<c>~~…~~</c>) and nothing else of the emphasis extras: a correction to a post
/// shows what it replaced;</description></item>
/// <item><description>referral links: every link gets <c>rel="noopener"</c>.</description></item>
/// </list>
/// Left out on purpose: generic attributes (<c>{onclick=…}</c> would put author-chosen attributes on tags),
/// <c>UseAdvancedExtensions</c> (which brings them), and everything else a live post does not need.
/// </remarks>
public static class MarkdownRenderer
{
    // Built once and shared: a pipeline is immutable and safe to use from several threads (render workers run
    // concurrently).
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UsePipeTables()
        .UseEmphasisExtras(EmphasisExtraOptions.Strikethrough)
        .UseReferralLinks("noopener")
        .Use<SafeLinkSchemesExtension>()
        .Build();

    /// <summary>Renders <paramref name="markdown"/> to HTML, without the trailing newline Markdig ends with.</summary>
    /// <param name="markdown">The post's body as the author wrote it.</param>
    /// <returns>The HTML of the post's body: block elements (<c>&lt;p&gt;</c>, <c>&lt;ul&gt;</c>, …) one per line.</returns>
    public static string Render(string markdown) => Markdown.ToHtml(markdown, Pipeline).TrimEnd('\n');
}
