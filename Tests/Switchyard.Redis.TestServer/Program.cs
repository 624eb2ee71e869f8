using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Switchyard;
using Switchyard.Redis.TestServer;

// A server process for the Redis layer's multi-process tests (Tests/Switchyard.Redis.Tests/MultiProcess):
//   --urls http://127.0.0.1:<port> --redis <host:port> --prefix <key prefix>
// On the Redis layer (AddRedisLayer), with a test-only authentication scheme: a request names its user in the
// X-Test-User header. EchoConsumer at /ws/echo/; RoomConsumer at /ws/room/{room}/ in the presence groups room.*, whose
// members' presence times out 3 s after their process stopped renewing it; FeedConsumer at /ws/feed/{name}/ in the
// groups feed.*, which keep a history (resume with ?since=epoch:offset). Prints "Test server is running on <urls>" once listening; SIGTERM
// stops it and it exits 0.
var builder = WebApplication.CreateSlimBuilder(args);
var redis = builder.Configuration["redis"];
var prefix = builder.Configuration["prefix"];
if (string.IsNullOrEmpty(redis) || string.IsNullOrEmpty(prefix) || string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    Console.Error.WriteLine("usage: Switchyard.Redis.TestServer --urls http://127.0.0.1:<port> --redis <host:port> --prefix <key prefix>");
    return 2;
}

// Authentication brings data protection along; a test process keeps its keys in memory, not in the user's profile.
builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
builder.Services.AddSwitchyard().AddRedisLayer(o =>
{
    o.Servers.Add(redis);
    o.Prefix = prefix;
    o.Layer.WithPresence("room.*");
    o.Layer.WithGroupHistory("feed.*");
    o.Layer.PresenceTimeout = TimeSpan.FromSeconds(3);
});

var app = builder.Build();
app.UseAuthentication();
app.MapSwitchyard();
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Test server is running on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
return 0;
