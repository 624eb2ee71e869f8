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

        // If Redis restarts, a line said meanwhile waits for it (up to 10 s) instead of failing the speaker's consumer.
        o.ReconnectWait = TimeSpan.FromSeconds(10);
    });
}

// --ipc name: share rooms with the chat processes of this machine that use the same name, without Redis (the IPC
// layer; more options under Switchyard:Ipc, such as --Switchyard:Ipc:Directory).
else if (builder.Configuration["ipc"] is { Length: > 0 } ipc && !OperatingSystem.IsWindows())
{
    builder.Configuration["Switchyard:Ipc:Name"] = ipc;
    switchyard.AddIpcLayer(builder.Configuration.GetSection("Switchyard:Ipc"));
}

var app = builder.Build();
var page = ReadPage();
app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
app.MapSwitchyard();
app.MapSwitchyardOffload("/rooms/{room}/summary", SummaryWorker.Channel);

// 200 "Healthy" / 503 "Unhealthy": the channel layer's check (AddSwitchyard registers it); on Redis, unhealthy while it is away.
app.MapHealthChecks("/healthz");
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"Chat is running on {string.Join(", ", app.Urls)} - open it in two browser tabs; Ctrl+C stops it."));
app.Run();

static string ReadPage()
{
    using var stream = typeof(RoomConsumer).Assembly.GetManifestResourceStream("index.html")
        ?? throw new InvalidOperationException("The page index.html is not embedded in the sample.");
    using var reader = new StreamReader(stream);
    return reader.ReadToEnd();
}
