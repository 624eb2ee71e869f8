// The load benchmark's SignalR server: one hub at /hub with the default (JSON) hub protocol, WebSocket transport.
//
//   Echo(s)      -> Clients.Caller.SendAsync("echo", s)
//   Subscribe()  -> Groups.AddToGroupAsync(ConnectionId, "fanout")
//   Publish(s)   -> Clients.Group("fanout").SendAsync("tick", s)
//   Join(name)      -> Groups.AddToGroupAsync(ConnectionId, name)      the relay: SignalR has no route-based groups,
//   Relay(name, s)  -> Clients.Group(name).SendAsync("relay", s)       so a member joins by a (blocking) invocation;
//                                                                      the sender is a member and gets its own frames
//   --redis host:port   groups go through SignalR's Redis backplane (AddStackExchangeRedis), as a scaled-out
//                       SignalR app would: the reference for Switchyard's Redis layer
//   /stats       GET: {"managedHeap": <bytes after a full GC; ?gc=false: no GC, cheap>, "connections": <open hub connections>}

using System.Globalization;
using Microsoft.AspNetCore.SignalR;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

var signalR = builder.Services.AddSignalR();
if (builder.Configuration["redis"] is { Length: > 0 } redis)
{
    signalR.AddStackExchangeRedis(redis);
}

var app = builder.Build();
app.MapHub<BenchHub>("/hub");
app.MapGet("/stats", (HttpRequest request) =>
{
    // ?gc=false: no forced collection, a cheap request (the churn scenario times one every 10 ms).
    if (request.Query["gc"] != "false")
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    var json = string.Create(CultureInfo.InvariantCulture,
        $"{{\"managedHeap\":{GC.GetTotalMemory(false)},\"connections\":{BenchHub.OpenConnections}}}");
    return Results.Text(json, "application/json");
});

app.Run();

internal sealed class BenchHub : Hub
{
    private const string FanoutGroup = "fanout";

    private static int openConnections;

    public static int OpenConnections => Volatile.Read(ref openConnections);

    public override Task OnConnectedAsync()
    {
        Interlocked.Increment(ref openConnections);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        Interlocked.Decrement(ref openConnections);
        return Task.CompletedTask;
    }

    public Task Echo(string s) => Clients.Caller.SendAsync("echo", s);

    public Task Subscribe() => Groups.AddToGroupAsync(Context.ConnectionId, FanoutGroup);

    public Task Publish(string s) => Clients.Group(FanoutGroup).SendAsync("tick", s);

    public Task Join(string name) => Groups.AddToGroupAsync(Context.ConnectionId, name);

    public Task Relay(string name, string s) => Clients.Group(name).SendAsync("relay", s);
}
