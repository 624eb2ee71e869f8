using Switchyard;
using Switchyard.AspNetCore;
using Switchyard.Samples.Chat;

// The chat sample: rooms in the browser over WebSockets, a moderator worker on a named channel, and a Server-Sent
// Events feed per room, on Switchyard's embedded in-memory channel layer (or on Redis with --redis host:port, so that
// several chat processes share their rooms). Open the printed address in two tabs.
var builder = WebApplication.CreateSlimBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5000");
}

var switchyard = builder.Services.AddSwitchyard()
    .ConfigureServer(o => o.WebSockets.MaxMessageSize = 16 * 1024);

// Rooms know who is in them (presence) and keep their last 200 lines for 10 minutes, so a browser that reconnects
// gets what it missed (group history). On every layer: the in-memory one here, Redis and IPC below.
builder.Services.Configure<ChannelLayerOptions>(Rooms);

// --no-worker true: serve HTTP and WebSockets only; another process's workers (on the same Redis) do the moderating
// and the summaries.
if (builder.Configuration["no-worker"] != "true")
{
    switchyard.AddWorker(o =>
    {
        o.Channels.Add(ModeratorConsumer.Channel);
        o.Channels.Add(SummaryWorker.Channel);
    });
}

// --redis host:port: share rooms with every other chat process on that Redis (run two on different --urls).
if (builder.Configuration["redis"] is { Length: > 0 } redis)
{
    switchyard.AddRedisLayer(o =>
    {
        o.Servers.Add(redis);
        o.Prefix = "chat";
        Rooms(o.Layer);

        // If Redis restarts, a line said meanwhile waits for it (up to 10 s) instead of failing the speaker's consumer.
        o.ReconnectWait = TimeSpan.FromSeconds(10);
    });
}

// --ipc name: share rooms with the chat processes of this machine that use the same name, without Redis (the IPC
// layer; more options under Switchyard:Ipc, such as --Switchyard:Ipc:Directory).
else if (builder.Configuration["ipc"] is { Length: > 0 } ipc && !OperatingSystem.IsWindows())
{
    builder.Configuration["Switchyard:Ipc:Name"] = ipc;
    switchyard.AddIpcLayer(builder.Configuration.GetSection("Switchyard:Ipc"), o => Rooms(o.Layer));
}

var app = builder.Build();
var page = ReadResource("index.html");
var script = ReadResource("chat.js");
app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
app.MapGet("/chat.js", () => Results.Content(script, "text/javascript; charset=utf-8"));
app.MapSwitchyard();
app.MapSwitchyardOffload("/rooms/{room}/summary", SummaryWorker.Channel);

// 200 "Healthy" / 503 "Unhealthy": the channel layer's check (AddSwitchyard registers it); on Redis, unhealthy while it is away.
app.MapHealthChecks("/healthz");
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"Chat is running on {string.Join(", ", app.Urls)} - open it in two browser tabs; Ctrl+C stops it."));
app.Run();

static void Rooms(ChannelLayerOptions layer) =>
    layer.WithPresence("chat.*").WithGroupHistory("chat.*", maxCount: 200, maxAge: TimeSpan.FromMinutes(10));

// The page and its script (Client/chat.ts bundled by Samples/web into chat.js), embedded in the sample.
static string ReadResource(string name)
{
    using var stream = typeof(RoomConsumer).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"The page's {name} is not embedded in the sample.");
    using var reader = new StreamReader(stream);
    return reader.ReadToEnd();
}
