using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Switchyard.Samples.LiveBlog.Rendering;

/// <summary>
/// Keeps a link, image or autolink only when its URL is http, https or mailto; any other (<c>javascript:</c>,
/// <c>data:</c>, <c>vbscript:</c>, relative) loses its link and keeps its text. It works on the parsed document,
/// before rendering, so the rule sees the URL exactly as the renderer would write it (entities and escapes already
/// decoded, reference links already resolved).
/// </summary>
internal sealed class SafeLinkSchemesExtension : IMarkdownExtension
{
    // A URL that starts with one of these has that scheme for every browser; anything else is refused, including
    // spellings browsers would still read as a scheme ("java\tscript:", " javascript:").
    private static readonly string[] AllowedPrefixes = ["http://", "https://", "mailto:"];

    /// <inheritdoc/>
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
        pipeline.DocumentProcessed -= RemoveUnsafeLinks;
        pipeline.DocumentProcessed += RemoveUnsafeLinks;
    }

    /// <inheritdoc/>
    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
    }

    // Whether the URL, as the parser resolved it, may become an href or a src.
    private static bool IsAllowed(string? url) =>
        url is not null && Array.Exists(AllowedPrefixes, prefix => url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private static void RemoveUnsafeLinks(MarkdownDocument document)
    {
        // Collected first: the loops change the tree they would otherwise be walking.
        foreach (var link in document.Descendants<LinkInline>().Where(link => !IsAllowed(link.Url)).ToList())
        {
            // The label (or an image's alt text) stays where the link was, with its emphasis and code.
            while (link.FirstChild is { } child)
            {
                child.Remove();
                link.InsertBefore(child);
            }

            link.Remove();
        }

        // <scheme:…> in the text; <name@host> is an e-mail autolink, rendered as mailto:.
        foreach (var autolink in document.Descendants<AutolinkInline>().Where(autolink => !autolink.IsEmail && !IsAllowed(autolink.Url)).ToList())
        {
            autolink.ReplaceBy(new LiteralInline(autolink.Url));
        }
    }
}
