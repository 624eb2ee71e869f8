var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSwitchyard();   // the in-memory channel layer: the rooms live in this process

var app = builder.Build();
app.UseDefaultFiles();              // GET / serves wwwroot/index.html, the chat page
app.UseStaticFiles();
app.MapSwitchyard();                // every [WebSocketConsumer] and [HttpConsumer] of this project
app.Run();
