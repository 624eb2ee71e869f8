using Switchyard.Samples.LiveBlog.Data;
using Switchyard.Samples.LiveBlog.Publishing;

namespace Switchyard.Samples.LiveBlog.Editor;

/// <summary>
/// The editor's side: the login (see <see cref="EditorLogin"/>), and a JSON API to create, edit and delete posts (401 without a login). Saving a
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
        app.MapLogin();

        var api = app.MapGroup("/api").RequireAuthorization(Policy);
        api.MapGet("/blogs/{blog}/posts", async (string blog, IPostStore store, CancellationToken ct) =>
            await store.BlogAsync(blog, ct) is null ? Results.NotFound() : Results.Ok(await store.EditorPostsAsync(blog, ct)));
        api.MapPost("/blogs/{blog}/posts", CreateAsync);
        api.MapPut("/posts/{id:long}", UpdateAsync);
        api.MapDelete("/posts/{id:long}", DeleteAsync);
    }

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
