// Switchyard under the load benchmark (bench/README.md, "Load benchmark"): /echo, /fanout and /publish are the
// consumers in Consumers.cs, the relays /ws/group/{name}/ (raw text) and /ws/json/{name}/ (JSON) those in Relay/;
// /stats reports the managed heap after a full GC (none with ?gc=false) and the open WebSocket count.
//
//   (no options)               shipped defaults: AddSwitchyard(), the in-memory layer as it comes, default send queues
//   --layer redis --redis H:P  the Redis channel layer on that server, with its default options
//   --tuned true               the tuning of the issue-4 runs: layer capacity 10,000 (a burst of 2,000 fits a member's
//                              channel), send queues of 4,096 frames
//   --urls http://127.0.0.1:P  where to listen (default http://127.0.0.1:5082)

using System.Globalization;
using Switchyard;
using Switchyard.AspNetCore;

using Switchyard.LoadBench.Servers.Switchyard;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5082");
}

var tuned = builder.Configuration["tuned"] == "true";
var layer = builder.Configuration["layer"] ?? "memory";
var switchyard = builder.Services.AddSwitchyard()
    .ConfigureServer(o =>
    {
        // A connection limit, not a delivery tuning: the idle scenario holds 5,000 sockets while earlier scenarios'
        // sockets may still be closing, so the limit stays well above what the benchmark opens (the default is 10,000).
        o.MaxConnections = 20_000;
        if (tuned)
        {
            o.WebSockets.SendQueueCapacity = 4096;
        }
    });

switch (layer)
{
    case "memory":
        if (tuned)
        {
            // A burst of 2,000 messages must fit a member's channel while its consumer catches up (Channels' default is 100).
            switchyard.AddInMemoryLayer(o => o.Capacity = 10_000);
        }

        break;
    case "redis":
        var redis = builder.Configuration["redis"];
        if (string.IsNullOrEmpty(redis))
        {
            Console.Error.WriteLine("--layer redis needs --redis host:port");
            return 2;
        }

        if (tuned)
        {
            switchyard.AddRedisLayer(o =>
            {
                o.Servers.Add(redis);
                o.Layer.Capacity = 10_000;
            });
        }
        else
        {
            switchyard.AddRedisLayer(redis);
        }

        break;
    default:
        Console.Error.WriteLine($"unknown --layer '{layer}' (memory or redis)");
        return 2;
}

var app = builder.Build();
app.MapSwitchyard();
app.MapGet("/stats", (HttpRequest request) =>
{
    // ?gc=false: no forced collection, a cheap request (the churn scenario times one every 10 ms).
    if (request.Query["gc"] != "false")
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    var connections = SwitchyardConnectionCount.Read();
    return Results.Text(string.Create(CultureInfo.InvariantCulture, $"{{\"managedHeap\":{GC.GetTotalMemory(false)},\"connections\":{connections},\"gcPauseMs\":{GC.GetTotalPauseDuration().TotalMilliseconds:F1},\"gen2\":{GC.CollectionCount(2)}}}"), "application/json");
});

SwitchyardConnectionCount.Read(); // start listening before the first connection
await app.RunAsync();
return 0;
