using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Switchyard.Samples.LiveBlog.Data;
using Switchyard.Samples.LiveBlog.Publishing;

namespace Switchyard.Samples.LiveBlog.Editor;

/// <summary>
/// The editor's side: cookie login, and a JSON API to create, edit and delete posts (401 without a login). Saving a
/// post stores its Markdown and, in the same transaction, a render request in the outbox; deleting stores the
/// deletion and its publish the same way. The <see cref="OutboxDispatcher"/> sends them (at once, or after a channel
/// layer outage): a request never fails because the layer is away, and the editor's list shows a post waiting to be
/// rendered.
/// </summary>
public static class EditorEndpoints
{
    public const string Policy = "editor";

    public static void MapEditor(this WebApplication app)
    {
        app.MapPost("/login", LoginAsync).DisableAntiforgery();
        app.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/");
        }).DisableAntiforgery();

        var api = app.MapGroup("/api").RequireAuthorization(Policy);
        api.MapGet("/blogs/{blog}/posts", async (string blog, IPostStore store, CancellationToken ct) =>
            await store.BlogAsync(blog, ct) is null ? Results.NotFound() : Results.Ok(await store.EditorPostsAsync(blog, ct)));
        api.MapPost("/blogs/{blog}/posts", CreateAsync);
        api.MapPut("/posts/{id:long}", UpdateAsync);
        api.MapDelete("/posts/{id:long}", DeleteAsync);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, IConfiguration configuration)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var expected = Encoding.UTF8.GetBytes(EditorPassword(configuration));
        var given = Encoding.UTF8.GetBytes(form["password"].ToString());
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return Results.Redirect("/login?failed=1");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "editor"), new Claim(ClaimTypes.Role, Policy)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        var returnUrl = form["returnUrl"].ToString();
        return Results.Redirect(returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/editor");
    }

    /// <summary>The editor's password: <c>LiveBlog:EditorPassword</c>, or the sample's default, "editor".</summary>
    public static string EditorPassword(IConfiguration configuration) => configuration["LiveBlog:EditorPassword"] is { Length: > 0 } password ? password : "editor";

    private static async Task<IResult> CreateAsync(string blog, PostInput input, IPostStore store, OutboxDispatcher outbox, CancellationToken ct)
    {
        if (input.Problem() is { } problem)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["post"] = [problem] });
        }

        if (await store.BlogAsync(blog, ct) is null)
        {
            return Results.NotFound();
        }

        var post = await store.CreateAsync(blog, input.Title!.Trim(), input.Body!, ct);
        outbox.Wake();
        return Results.Created($"/api/posts/{post.Id}", post);
    }

    private static async Task<IResult> UpdateAsync(long id, PostInput input, IPostStore store, OutboxDispatcher outbox, CancellationToken ct)
    {
        if (input.Problem() is { } problem)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["post"] = [problem] });
        }

        if (await store.UpdateAsync(id, input.Title!.Trim(), input.Body!, ct) is not { } post)
        {
            return Results.NotFound();
        }

        outbox.Wake();
        return Results.Ok(post);
    }

    private static async Task<IResult> DeleteAsync(long id, IPostStore store, OutboxDispatcher outbox, CancellationToken ct)
    {
        if (await store.DeleteAsync(id, ct) is not { } post)
        {
            return Results.NotFound();
        }

        outbox.Wake();
        return Results.NoContent();
    }
}
