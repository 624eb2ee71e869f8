using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.Hosting;

/// <summary>
/// A WebSocket handshake that arrives while the server drains (the host is stopping, Kestrel still listens) is refused
/// with 503 and Retry-After, so a reconnecting client tries again later instead of being accepted and closed 1001.
/// </summary>
public sealed class ShutdownHandshakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_handshake_during_the_drain_gets_503_with_Retry_After_and_starts_no_consumer()
    {
        await using var host = await KestrelHost.StartAsync();
        using var draining = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        // Holds the stop inside ApplicationStopping (the drain has begun, the listener is still open) until released.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            draining.Set();
            release.Wait(Timeout);
        });
        var stopping = Task.Run(host.StopAsync, Ct);
        Assert.True(draining.Wait(Timeout, Ct), "the host did not begin to stop");

        try
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(host.WebSocketUri("/ws/echo/"), Ct));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
            Assert.Equal("2", socket.HttpResponseHeaders!["Retry-After"].Single());
        }
        finally
        {
            release.Set();
        }

        await stopping.WaitAsync(Timeout, Ct);
        Assert.DoesNotContain(host.Events.Seen, e => e.StartsWith("connected:", StringComparison.Ordinal));
        Assert.Single(host.Logs.WithEvent("WebSocketRefused"), r => r.Message.Contains("shutting down", StringComparison.Ordinal));
    }
}
