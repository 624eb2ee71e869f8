using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Switchyard.Samples.LiveBlog.Data;
using Switchyard.Samples.LiveBlog.Editor;

namespace Switchyard.Samples.LiveBlog.Pages;

/// <summary>The HTML pages: the blogs, a blog's live page (server-rendered, then live over a WebSocket), login and the editor.</summary>
public static class PageEndpoints
{
    private static readonly Dictionary<string, string> Templates = Load("index.html", "blog.html", "blog.js", "login.html", "editor.html", "style.css");

    public static void MapPages(this WebApplication app)
    {
        app.MapGet("/style.css", () => Results.Text(Templates["style.css"], "text/css; charset=utf-8"));

        // The blog page's script: Client/blog.ts bundled by Samples/web into Pages/blog.js, embedded like the pages.
        app.MapGet("/blog.js", () => Results.Text(Templates["blog.js"], "text/javascript; charset=utf-8"));

        app.MapGet("/", async (IPostStore store, CancellationToken ct) =>
        {
            var list = new StringBuilder();
            foreach (var blog in await store.BlogsAsync(ct))
            {
                list.Append(CultureInfo.InvariantCulture, $"<li><a href=\"/blogs/{Encode(blog.Slug)}\">{Encode(blog.Title)}</a></li>\n");
            }

            return Html(Templates["index.html"].Replace("{{blogs}}", list.ToString(), StringComparison.Ordinal));
        });

        app.MapGet("/blogs/{blog}", async (string blog, IPostStore store, ChannelLayer layer, CancellationToken ct) =>
        {
            if (await store.BlogAsync(blog, ct) is not { } found)
            {
                return Results.NotFound();
            }

            // The blog group's position before the query: the page's WebSocket asks the layer for every change sent
            // after it (one that committed after the query included), and falls back to the database when the layer
            // cannot give them all. Without a layer (Redis away), the page still renders and uses the database.
            var since = string.Empty;
            try
            {
                if (layer.IsConnected)
                {
                    since = (await layer.GroupHistoryAsync(BlogGroups.Blog(found.Slug), cancellationToken: ct)).Position.ToString();
                }
            }
            catch (ChannelLayerException)
            {
                // Lost meanwhile: the page resumes from the database instead.
            }

            var (posts, after) = await store.PageAsync(blog, ct);
            var articles = new StringBuilder();
            foreach (var post in posts)
            {
                articles.Append(Article(post));
            }

            return Html(Templates["blog.html"]
                .Replace("{{slug}}", Encode(found.Slug), StringComparison.Ordinal)
                .Replace("{{title}}", Encode(found.Title), StringComparison.Ordinal)
                .Replace("{{after}}", after.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{{since}}", Encode(since), StringComparison.Ordinal)
                .Replace("{{posts}}", articles.ToString(), StringComparison.Ordinal));
        });

        app.MapGet("/login", (HttpContext context) => Html(Templates["login.html"]
            .Replace("{{failed}}", context.Request.Query.ContainsKey("failed") ? "<p class=\"error\">Wrong password.</p>" : string.Empty, StringComparison.Ordinal)
            .Replace("{{returnUrl}}", Encode(context.Request.Query["ReturnUrl"].ToString() is { Length: > 0 } back ? back : "/editor"), StringComparison.Ordinal)));

        app.MapGet("/editor", async (IPostStore store, CancellationToken ct) =>
        {
            var options = new StringBuilder();
            foreach (var blog in await store.BlogsAsync(ct))
            {
                options.Append(CultureInfo.InvariantCulture, $"<option value=\"{Encode(blog.Slug)}\">{Encode(blog.Title)}</option>");
            }

            return Html(Templates["editor.html"].Replace("{{blogs}}", options.ToString(), StringComparison.Ordinal));
        }).RequireAuthorization(EditorEndpoints.Policy);
    }

    // The same markup the page's script builds for a live post (the post's HTML is the renderer's, already safe).
    private static string Article(Post post) => string.Create(
        CultureInfo.InvariantCulture,
        $"""
        <article id="post-{post.Id}" data-id="{post.Id}" data-seq="{post.Seq}">
          <header><h2>{Encode(post.Title)}</h2><time datetime="{post.PublishedAt:O}">{post.PublishedAt:HH:mm}</time></header>
          <div class="body">{post.Html}</div>
        </article>

        """);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static Dictionary<string, string> Load(params string[] names)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"The page template '{name}' is not embedded.");
            using var reader = new StreamReader(stream);
            templates[name] = reader.ReadToEnd();
        }

        return templates;
    }
}
