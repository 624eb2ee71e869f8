using Switchyard.Samples.LiveBlog.Rendering;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>
/// The live blog's Markdown renderer as a function: what an author writes is shown, never run (raw HTML escaped, only
/// http, https and mailto links), and the Markdown a live post uses renders as CommonMark says.
/// </summary>
public sealed class MarkdownRendererTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")]
    [InlineData("Kickoff <script>alert(1)</script> soon", "<p>Kickoff &lt;script&gt;alert(1)&lt;/script&gt; soon</p>")]
    [InlineData("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>")]
    [InlineData("Look: <img src=x onerror=\"alert(1)\">", "<p>Look: &lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>")]
    [InlineData("<div onclick=\"alert(1)\">\n*hi*\n</div>", "<p>&lt;div onclick=&quot;alert(1)&quot;&gt;\n<em>hi</em>\n&lt;/div&gt;</p>")]
    [InlineData("<!-- hidden --><iframe src=\"https://example.org\"></iframe>", "<p>&lt;!-- hidden --&gt;&lt;iframe src=&quot;https://example.org&quot;&gt;&lt;/iframe&gt;</p>")]
    public void Raw_html_in_the_text_is_shown_escaped(string markdown, string html)
    {
        Assert.Equal(html, MarkdownRenderer.Render(markdown));
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))", "<p>x</p>")]
    [InlineData("[x](JavaScript:alert(1))", "<p>x</p>")]
    [InlineData("[x](java&#115;cript:alert(1))", "<p>x</p>")]
    [InlineData("[x](<javascript:alert(1)>)", "<p>x</p>")]
    [InlineData("[x](vbscript:msgbox(1))", "<p>x</p>")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<p>x</p>")]
    [InlineData("[x][evil]\n\n[evil]: javascript:alert(1)", "<p>x</p>")]
    [InlineData("[**bold** label](javascript:alert(1))", "<p><strong>bold</strong> label</p>")]
    [InlineData("<javascript:alert(1)>", "<p>javascript:alert(1)</p>")]
    [InlineData("![x](javascript:alert(1))", "<p>x</p>")]
    [InlineData("[x](/editor)", "<p>x</p>")]
    [InlineData("[x](ftp://example.org/file)", "<p>x</p>")]
    [InlineData("[![logo](javascript:alert(1))](javascript:alert(2))", "<p>logo</p>")]
    public void A_link_to_anything_but_http_https_or_mailto_keeps_its_text_and_loses_its_link(string markdown, string html)
    {
        Assert.Equal(html, MarkdownRenderer.Render(markdown));
    }

    [Theory]
    [InlineData("[ten](https://example.org)", "<p><a href=\"https://example.org\" rel=\"noopener\">ten</a></p>")]
    [InlineData("[ten](HTTP://example.org/a?b=1&c=2)", "<p><a href=\"HTTP://example.org/a?b=1&amp;c=2\" rel=\"noopener\">ten</a></p>")]
    [InlineData("[write](mailto:desk@example.org)", "<p><a href=\"mailto:desk@example.org\" rel=\"noopener\">write</a></p>")]
    [InlineData("[x][site]\n\n[site]: https://example.org", "<p><a href=\"https://example.org\" rel=\"noopener\">x</a></p>")]
    [InlineData("![stage](https://example.org/stage.jpg)", "<p><img src=\"https://example.org/stage.jpg\" alt=\"stage\" /></p>")]
    public void Http_https_and_mailto_links_are_links(string markdown, string html)
    {
        Assert.Equal(html, MarkdownRenderer.Render(markdown));
    }

    [Theory]
    [InlineData("Stream at https://example.org/live now", "<p>Stream at <a href=\"https://example.org/live\" rel=\"noopener\">https://example.org/live</a> now</p>")]
    [InlineData("Stream at <https://example.org/live>", "<p>Stream at <a href=\"https://example.org/live\" rel=\"noopener\">https://example.org/live</a></p>")]
    [InlineData("Photos on www.example.org", "<p>Photos on <a href=\"http://www.example.org\" rel=\"noopener\">www.example.org</a></p>")]
    [InlineData("Tips to <desk@example.org>", "<p>Tips to <a href=\"mailto:desk@example.org\">desk@example.org</a></p>")]
    public void An_autolink_of_https_or_an_address_is_a_link(string markdown, string html)
    {
        Assert.Equal(html, MarkdownRenderer.Render(markdown));
    }

    [Fact]
    public void A_fenced_code_block_keeps_angle_brackets_escaped()
    {
        var html = MarkdownRenderer.Render("```html\n<script>alert(\"1\")</script>\n<b>&amp;</b>\n```");

        Assert.Equal("<pre><code class=\"language-html\">&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;\n&lt;b&gt;&amp;amp;&lt;/b&gt;\n</code></pre>", html);
    }

    [Fact]
    public void The_markdown_of_a_live_post_renders_as_commonmark()
    {
        var html = MarkdownRenderer.Render(
            "## Second half\r\n\r\nThe **keynote** starts at *ten*, see `schedule`.\r\nDoors at nine.\r\n\r\n- coffee\r\n- talks\r\n\r\n> Worth the wait.");

        Assert.Equal(
            "<h2>Second half</h2>\n<p>The <strong>keynote</strong> starts at <em>ten</em>, see <code>schedule</code>.\nDoors at nine.</p>\n<ul>\n<li>coffee</li>\n<li>talks</li>\n</ul>\n<blockquote>\n<p>Worth the wait.</p>\n</blockquote>",
            html);
    }

    [Fact]
    public void Scores_in_a_pipe_table_and_a_correction_struck_through_render()
    {
        var html = MarkdownRenderer.Render("Kickoff ~~19:00~~ 19:30.\n\n| Team | Goals |\n| --- | --: |\n| Home | 2 |");

        Assert.Equal(
            "<p>Kickoff <del>19:00</del> 19:30.</p>\n<table>\n<thead>\n<tr>\n<th>Team</th>\n<th style=\"text-align: right;\">Goals</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>Home</td>\n<td style=\"text-align: right;\">2</td>\n</tr>\n</tbody>\n</table>",
            html);
    }

    [Fact]
    public void Attribute_syntax_is_text_not_attributes()
    {
        // The generic-attributes extension is left out: {…} after a heading or link stays what the author typed.
        var html = MarkdownRenderer.Render("# Live {onclick=alert(1)}");

        Assert.Equal("<h1>Live {onclick=alert(1)}</h1>", html);
    }
}
