using Microsoft.Extensions.FileProviders;
using Switchyard;
using Switchyard.Client.TestServer;

// A server process for the TypeScript client's browser tests (Tests/Switchyard.Client.BrowserTests):
//   --urls http://127.0.0.1:<port> [--client-dist <folder>]
// On the in-memory layer, where the groups feed.* keep a history. Serves the built client (Clients/typescript/dist,
// found above this assembly, or --client-dist) under /client/, the test page at /, ClientTestConsumer at /ws/test/ and
// FeedConsumer at /ws/feed/{name}/, and test-only endpoints:
//   POST /test/feed/{name}?from=1&count=500   sends FeedItem(from) … FeedItem(from + count - 1) to feed.{name}, in order
//   POST /test/kick/{name}                    closes every connection of that feed with 1012
//   PUT  /test/gates/{gate}                   shuts a gate: slow.{key} holds the reply to Slow(key), connect.{name}
//                                             holds new connections to that feed (at most 4 s)
//   POST /test/gates/{gate}                   opens it again
// Prints "Client test server is running on <urls>" once listening; SIGTERM stops it.
var builder = WebApplication.CreateSlimBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    Console.Error.WriteLine("usage: Switchyard.Client.TestServer --urls http://127.0.0.1:<port> [--client-dist <folder>]");
    return 2;
}

var dist = builder.Configuration["client-dist"] ?? ClientDist.Find();
if (!File.Exists(Path.Combine(dist, "index.js")))
{
    Console.Error.WriteLine($"The TypeScript client is not built: {Path.Combine(dist, "index.js")} is missing; run npm ci && npm run build in Clients/typescript.");
    return 3;
}

builder.Services.AddSingleton<Gates>();
builder.Services.AddSwitchyard();
builder.Services.Configure<ChannelLayerOptions>(o => o.WithGroupHistory("feed.*", maxCount: 5000));

var app = builder.Build();
var page = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestPage.html"));
app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Path.GetFullPath(dist)), RequestPath = "/client" });
app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
app.MapGet("/favicon.ico", () => Results.NoContent()); // no 404 in the page's console
app.MapSwitchyard();

app.MapPost("/test/feed/{name}", async (string name, int? from, int? count, ChannelLayer layer, CancellationToken cancellationToken) =>
{
    var group = $"feed.{name}";
    if (!ChannelNames.IsValidGroupName(group) || from is not >= 1 || count is not (>= 1 and <= 100_000))
    {
        return Results.BadRequest("name must make a valid group name, from at least 1, count 1 to 100000");
    }

    for (var seq = from.Value; seq < from.Value + count.Value; seq++)
    {
        await layer.GroupSendAsync(group, ChannelMessage.Create(new FeedItem(seq)), cancellationToken);
    }

    return Results.Text($"sent {count} to {group}");
});

app.MapPost("/test/kick/{name}", async (string name, ChannelLayer layer, CancellationToken cancellationToken) =>
{
    var group = $"kick.{name}";
    if (!ChannelNames.IsValidGroupName(group))
    {
        return Results.BadRequest("name must make a valid group name");
    }

    var sent = await layer.GroupSendAsync(group, ChannelMessage.Create(new Kick("kicked by the test")), cancellationToken);
    return Results.Text($"kicked {sent}");
});

app.MapPut("/test/gates/{gate}", (string gate, Gates gates) =>
{
    gates.Close(gate);
    return Results.Text($"shut {gate}");
});

app.MapPost("/test/gates/{gate}", (string gate, Gates gates) =>
    gates.Open(gate) ? Results.Text($"opened {gate}") : Results.NotFound($"the gate {gate} is not shut"));

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Client test server is running on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
return 0;
