using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Switchyard.Client.Tests.Support;

/// <summary>
/// A real Kestrel on a loopback port serving the test consumers through <c>MapSwitchyard()</c> on the in-memory layer,
/// whose <c>feed.*</c> groups keep a history. <see cref="Refusing"/> makes it answer every request with HTTP 503 (a
/// server that is there but refuses handshakes).
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public int Port => Address.Port;

    public ChannelLayer Layer => _app.Services.GetRequiredService<ChannelLayer>();

    public IServiceProvider Services => _app.Services;

    public Gates Gates => _app.Services.GetRequiredService<Gates>();

    /// <summary>Gets or sets whether every request gets HTTP 503.</summary>
    public bool Refusing { get; set; }

    public static async Task<TestServer> StartAsync(int port = 0, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Gates>();
        builder.Services.AddSwitchyard();
        builder.Services.Configure<ChannelLayerOptions>(o => o.WithGroupHistory("feed.*", maxCount: 10_000));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        TestServer? server = null;
        app.Use(async (context, next) =>
        {
            if (server is { Refusing: true })
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await next(context);
        });
        app.MapSwitchyard();
        await app.StartAsync(TestContext.Current.CancellationToken);
        server = new TestServer(app, new Uri(app.Urls.First()));
        return server;
    }

    public Uri WebSocketUri(string pathAndQuery) => new($"ws://{Address.Authority}{pathAndQuery}");

    public Task StopAsync() => _app.StopAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
