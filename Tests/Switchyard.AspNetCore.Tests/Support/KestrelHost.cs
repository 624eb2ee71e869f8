using Xunit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchyard.AspNetCore;

namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>A real Kestrel on a free loopback port serving every test consumer through <c>MapSwitchyard()</c>.</summary>
public sealed class KestrelHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConsumerEvents Events => _app.Services.GetRequiredService<ConsumerEvents>();

    public ChannelLayer Layer => _app.Services.GetRequiredService<ChannelLayer>();

    public CapturingLoggerProvider Logs { get; private init; } = null!;

    public IServiceProvider Services => _app.Services;

    public static async Task<KestrelHost> StartAsync(
        Action<SwitchyardServerOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? beforeMap = null,
        Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrel = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (kestrel is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            // The test's own listeners (TLS, HTTP/2) instead of the plain HTTP/1.1 one.
            builder.WebHost.ConfigureKestrel(kestrel);
        }

        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<ConsumerEvents>();
        builder.Services.AddSwitchyard().ConfigureServer(o => configure?.Invoke(o));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        beforeMap?.Invoke(app);
        app.MapSwitchyard();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = new Uri(app.Urls.First());
        return new KestrelHost(app, address) { Logs = logs };
    }

    public Uri WebSocketUri(string pathAndQuery) => new($"{(Address.Scheme == "https" ? "wss" : "ws")}://{Address.Authority}{pathAndQuery}");

    public Uri HttpUri(string pathAndQuery) => new($"{Address.Scheme}://{Address.Authority}{pathAndQuery}");

    public Task StopAsync() => _app.StopAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
