using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Switchyard.Samples.LiveBlog.Consumers;
using Switchyard.Samples.LiveBlog.Data;

namespace Switchyard.Samples.LiveBlog.Editor;

/// <summary>
/// The editor's side: cookie login, and a JSON API to create, edit and delete posts (401 without a login). Saving a
/// post stores its Markdown and asks the render worker for its HTML, which the worker publishes to the blog's group;
/// deleting publishes the deletion at once.
/// </summary>
public static class EditorEndpoints
{
    public const string Policy = "editor";

    public static void MapEditor(this WebApplication app)
    {
        app.MapLogin();

        var api = app.MapGroup("/api").RequireAuthorization(Policy);
        api.MapGet("/blogs/{blog}/posts", async (string blog, IPostStore store, CancellationToken ct) =>
            await store.BlogAsync(blog, ct) is null ? Results.NotFound() : Results.Ok((await store.PageAsync(blog, ct)).Posts));
        api.MapPost("/blogs/{blog}/posts", CreateAsync);
        api.MapPut("/posts/{id:long}", UpdateAsync);
        api.MapDelete("/posts/{id:long}", DeleteAsync);
    }

    private static async Task<IResult> CreateAsync(string blog, PostInput input, IPostStore store, ChannelLayer layer, CancellationToken ct)
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
        await layer.SendAsync(RenderWorker.Channel, ChannelMessage.Create(new RenderPost(post.Blog, post.Id, post.Seq)), ct);
        return Results.Created($"/api/posts/{post.Id}", post);
    }

    private static async Task<IResult> UpdateAsync(long id, PostInput input, IPostStore store, ChannelLayer layer, CancellationToken ct)
    {
        if (input.Problem() is { } problem)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["post"] = [problem] });
        }

        if (await store.UpdateAsync(id, input.Title!.Trim(), input.Body!, ct) is not { } post)
        {
            return Results.NotFound();
        }

        await layer.SendAsync(RenderWorker.Channel, ChannelMessage.Create(new RenderPost(post.Blog, post.Id, post.Seq)), ct);
        return Results.Ok(post);
    }

    private static async Task<IResult> DeleteAsync(long id, IPostStore store, ChannelLayer layer, CancellationToken ct)
    {
        if (await store.DeleteAsync(id, ct) is not { } post)
        {
            return Results.NotFound();
        }

        await layer.GroupSendAsync(BlogGroups.Blog(post.Blog), ChannelMessage.Create(post.ToMessage()), ct);
        return Results.NoContent();
    }
}
