// Switchyard under the load benchmark (bench/README.md, "Load benchmark"): /echo, /fanout and /publish are the
// consumers in Consumers.cs; /stats reports the managed heap after a full GC and the open WebSocket count.

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

builder.Services.AddSwitchyard()
    // A burst of 2,000 messages must fit a member's channel while its consumer catches up (Channels' default is 100).
    .AddInMemoryLayer(o => o.Capacity = 10_000)
    .ConfigureServer(o =>
    {
        o.MaxConnections = 20_000;
        o.WebSockets.SendQueueCapacity = 4096;
    });

var app = builder.Build();
app.MapSwitchyard();
app.MapGet("/stats", () =>
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var connections = SwitchyardConnectionCount.Read();
    return Results.Text(string.Create(CultureInfo.InvariantCulture, $"{{\"managedHeap\":{GC.GetTotalMemory(false)},\"connections\":{connections}}}"), "application/json");
});

SwitchyardConnectionCount.Read(); // start listening before the first connection
app.Run();
