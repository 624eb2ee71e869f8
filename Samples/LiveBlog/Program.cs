using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Switchyard;
using Switchyard.AspNetCore;
using Switchyard.Samples.LiveBlog.Consumers;
using Switchyard.Samples.LiveBlog.Data;
using Switchyard.Samples.LiveBlog.Editor;
using Switchyard.Samples.LiveBlog.Pages;
using Switchyard.Samples.LiveBlog.Publishing;

// The live-blog sample: a public page per blog that updates live over a WebSocket consumer in group liveblog.{blog},
// an editor (cookie login) that publishes, edits and deletes posts, and a render worker that turns a post's Markdown
// into HTML off the request path and publishes it. Embedded defaults: SQLite in liveblog.db, the in-memory channel
// layer, the worker in this process, editor password "editor".
//   --LiveBlog:Database postgres --ConnectionStrings:LiveBlog "Host=...;Username=...;Password=...;Database=..."
//   --redis host:port       share the blogs with every other live-blog process on that Redis
//   --ipc name              share them with the live-blog processes of this machine that use the same name, without
//                           Redis (the IPC layer; more options under Switchyard:Ipc, e.g. --Switchyard:Ipc:Directory)
//   --no-worker true        serve pages and sockets only; a worker process on the same Redis (or IPC name) renders
//   --worker-only true      be that worker process: no pages, no sockets
var builder = WebApplication.CreateSlimBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5000");
}

builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var (dataSource, dialect) = Database(builder.Configuration);
var store = new SqlPostStore(dataSource, dialect, TimeProvider.System);
builder.Services.AddSingleton<IPostStore>(store);
builder.Services.AddSingleton<IOutbox>(store);
builder.Services.TryAddSingleton(TimeProvider.System);

// What follows a committed change (a render, a publish to pages) is in the outbox; every process sends it.
builder.Services.AddSingleton<OutboxDispatcher>();
builder.Services.AddHostedService(services => services.GetRequiredService<OutboxDispatcher>());
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, LiveBlogJson.Default));
builder.AddEditorLogin();

// Outside Development the sample's default password is refused: the server does not start.
var workerOnly = builder.Configuration["worker-only"] == "true";
if (!workerOnly && EditorLogin.StartProblem(builder.Configuration, builder.Environment) is { } startProblem)
{
    await Console.Error.WriteLineAsync(startProblem);
    return 1;
}

var switchyard = builder.Services.AddSwitchyard().ConfigureServer(o => o.WebSockets.MaxMessageSize = 16 * 1024);

// Each blog's group keeps its last 500 changes for 10 minutes: a page that reconnects gets what it missed from the
// layer, and from the database only when the layer cannot give it all.
builder.Services.Configure<ChannelLayerOptions>(Blogs);
if (builder.Configuration["no-worker"] != "true")
{
    switchyard.AddWorker(o => o.Channels.Add(RenderWorker.Channel));
}

if (builder.Configuration["redis"] is { Length: > 0 } redis)
{
    switchyard.AddRedisLayer(o =>
    {
        o.Servers.Add(redis);
        o.Prefix = "liveblog";
        o.ReconnectWait = TimeSpan.FromSeconds(10);
        Blogs(o.Layer);
    });
}
else if (builder.Configuration["ipc"] is { Length: > 0 } ipc && !OperatingSystem.IsWindows())
{
    builder.Configuration["Switchyard:Ipc:Name"] = ipc;
    switchyard.AddIpcLayer(builder.Configuration.GetSection("Switchyard:Ipc"), o => Blogs(o.Layer));
}

var app = builder.Build();
await app.Services.GetRequiredService<IPostStore>().InitializeAsync(app.Lifetime.ApplicationStopping);
if (!workerOnly)
{
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();
    app.MapPages();
    app.MapEditor();
    app.MapSwitchyard();
}

// 200 "Healthy" / 503 "Unhealthy": the channel layer's check (AddSwitchyard registers it). Without Redis the process
// starts all the same, serves its pages, refuses WebSockets with 503 and reports itself unhealthy until Redis is there.
app.MapHealthChecks("/healthz");

if (!workerOnly && EditorLogin.EditorPassword(builder.Configuration) == EditorLogin.DefaultPassword)
{
    app.Logger.LogWarning("The editor password is the sample's default, \"editor\" (accepted in Development only); set LiveBlog:EditorPassword for anything but a demo.");
}

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(workerOnly
    ? "Live-blog worker is running."
    : $"Live blog is running on {string.Join(", ", app.Urls)} - open it, and /editor (password: the configured one) in another tab; Ctrl+C stops it."));
await app.RunAsync();
return 0;

static void Blogs(ChannelLayerOptions layer) => layer.WithGroupHistory("liveblog.*", maxCount: 500, maxAge: TimeSpan.FromMinutes(10));

static (DbDataSource DataSource, SqlDialect Dialect) Database(IConfiguration configuration)
{
    var connectionString = configuration.GetConnectionString("LiveBlog");
    if (string.Equals(configuration["LiveBlog:Database"], "postgres", StringComparison.OrdinalIgnoreCase))
    {
        return (NpgsqlDataSource.Create(connectionString ?? throw new InvalidOperationException("LiveBlog:Database is postgres, so ConnectionStrings:LiveBlog must name the PostgreSQL database (Host=...;Username=...;Password=...;Database=...).")), SqlDialect.Postgres);
    }

    // A busy timeout: concurrent writers wait for each other instead of failing with "database is locked".
    var sqlite = new SqliteConnectionStringBuilder(connectionString ?? "Data Source=liveblog.db") { DefaultTimeout = 10 };
    return (SqliteFactory.Instance.CreateDataSource(sqlite.ConnectionString), SqlDialect.Sqlite);
}
