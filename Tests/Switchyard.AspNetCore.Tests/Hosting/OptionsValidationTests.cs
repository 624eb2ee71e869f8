using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Switchyard.AspNetCore.Tests.Hosting;

/// <summary>
/// Bad options stop the host when it starts, with the option's name — not the first request that needs them. No
/// route is mapped here, so nothing but the start-up validation resolves the options.
/// </summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public async Task A_bad_channel_layer_option_stops_the_start_naming_it()
    {
        var failure = await StartExpectingFailureAsync(s => s.AddSwitchyard().AddInMemoryLayer(o => o.Capacity = 0));

        Assert.Contains("ChannelLayerOptions.Capacity must be at least 1, not 0.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_server_or_WebSocket_option_stops_the_start_naming_it()
    {
        var failure = await StartExpectingFailureAsync(s => s.AddSwitchyard().ConfigureServer(o => o.WebSockets.PingTimeout = TimeSpan.Zero));

        Assert.Contains("SwitchyardWebSocketOptions.PingTimeout must be positive", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_worker_option_stops_the_start_naming_it()
    {
        var failure = await StartExpectingFailureAsync(s => s.AddSwitchyard().AddWorker(o => o.Concurrency = 0));

        Assert.Contains("SwitchyardWorkerOptions.Concurrency must be at least 1, not 0.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_options_start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSwitchyard().AddInMemoryLayer(o => o.Capacity = 10).ConfigureServer(o => o.MaxConnections = 5);
        await using var app = builder.Build();

        await app.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(10, app.Services.GetRequiredService<IOptions<ChannelLayerOptions>>().Value.Capacity);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<OptionsValidationException> StartExpectingFailureAsync(Action<IServiceCollection> services)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        services(builder.Services);
        await using var app = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
    }
}
