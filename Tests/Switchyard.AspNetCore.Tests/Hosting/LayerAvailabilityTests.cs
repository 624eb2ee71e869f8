using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.Hosting;

/// <summary>A server whose channel layer is not connected: 503 before any consumer starts, /healthz says so, and all works once it is.</summary>
public sealed class LayerAvailabilityTests : IAsyncLifetime
{
    private readonly SwitchableLayer _layer = new(connected: false);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private KestrelHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync(
        services: s => s.AddSingleton<ChannelLayer>(_layer),
        beforeMap: app => app.MapHealthChecks("/healthz"));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        await _layer.DisposeAsync();
    }

    [Fact]
    public async Task While_the_layer_is_away_consumer_requests_get_503_with_Retry_After_and_health_says_unhealthy_then_all_works()
    {
        using (var health = await _http.GetAsync(_host.HttpUri("/healthz"), Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync(Ct));
        }

        using (var refused = await _http.GetAsync(_host.HttpUri("/http/hello/ada"), Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("2", refused.Headers.GetValues("Retry-After").Single());
            Assert.Contains("not connected", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (var socket = new ClientWebSocket())
        {
            socket.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(_host.WebSocketUri("/ws/echo/"), Ct));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
            Assert.Equal("2", socket.HttpResponseHeaders!["Retry-After"].Single());
        }

        // Refused before a consumer was created: none started, and each refusal is one log line.
        Assert.DoesNotContain(_host.Events.Seen, e => e.StartsWith("connected:", StringComparison.Ordinal));
        Assert.Single(_host.Logs.WithEvent("WebSocketRefused"), r => r.Message.Contains("503", StringComparison.Ordinal));
        Assert.Single(_host.Logs.WithEvent("HttpConsumerRefused"));

        _layer.Connect();

        using (var health = await _http.GetAsync(_host.HttpUri("/healthz"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        Assert.Equal("hello ada (GET )", await _http.GetStringAsync(_host.HttpUri("/http/hello/ada"), Ct));
        using var echo = new ClientWebSocket();
        await echo.ConnectAsync(_host.WebSocketUri("/ws/echo/"), Ct);
        Assert.Equal(WebSocketState.Open, echo.State);
    }
}
