using System.Net;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>The Origin check against cross-site WebSocket hijacking, with default and configured AllowedOrigins.</summary>
public sealed class OriginTests
{
    [Fact]
    public async Task By_default_the_servers_own_origin_is_accepted()
    {
        await using var host = await KestrelHost.StartAsync();

        await AssertAcceptedAsync(host, $"http://127.0.0.1:{host.Address.Port}");
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("http://localhost.evil.example")]
    [InlineData("null")]
    [InlineData("file:///home/user/page.html")]
    public async Task By_default_any_other_origin_is_refused_with_403(string origin)
    {
        await using var host = await KestrelHost.StartAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await RefusedWithAsync(host, origin));
        Assert.Contains(host.Logs.WithEvent("WebSocketRefused"), r => r.Message.Contains("403", StringComparison.Ordinal));
        // Refused before the consumer was created.
        Assert.DoesNotContain(host.Events.Seen, e => e.StartsWith("connected:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task By_default_a_request_without_Origin_is_accepted()
    {
        await using var host = await KestrelHost.StartAsync();

        await AssertAcceptedAsync(host, origin: null);
    }

    [Fact]
    public async Task With_RequireOrigin_a_request_without_Origin_is_refused_with_403_but_the_own_origin_is_accepted()
    {
        await using var host = await KestrelHost.StartAsync(o => o.RequireOrigin = true);

        Assert.Equal(HttpStatusCode.Forbidden, await RefusedWithAsync(host, origin: null));
        await AssertAcceptedAsync(host, $"http://127.0.0.1:{host.Address.Port}");
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://a.b.example.com", true)]
    [InlineData("https://APP.Example.COM", true)]
    [InlineData("https://example.org", false)]
    [InlineData("https://example.com", false)]
    [InlineData("https://evilexample.com", false)]
    [InlineData("http://app.example.com", false)]
    [InlineData("https://app.example.com:8443", false)]
    [InlineData("https://app.example.com.evil.example", false)]
    public async Task A_wildcard_AllowedOrigin_admits_subdomains_with_the_same_scheme_and_port_only(string origin, bool accepted)
    {
        await using var host = await KestrelHost.StartAsync(o => o.AllowedOrigins.Add("https://*.example.com"));

        if (accepted)
        {
            await AssertAcceptedAsync(host, origin);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, await RefusedWithAsync(host, origin));
        }
    }

    [Fact]
    public async Task Configured_AllowedOrigins_replace_the_same_origin_default()
    {
        await using var host = await KestrelHost.StartAsync(o => o.AllowedOrigins.Add("https://app.example.com"));

        await AssertAcceptedAsync(host, "https://app.example.com");
        Assert.Equal(HttpStatusCode.Forbidden, await RefusedWithAsync(host, $"http://127.0.0.1:{host.Address.Port}"));
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("https://anything.example.org:1234")]
    [InlineData("null")]
    public async Task A_star_AllowedOrigin_accepts_any_origin(string origin)
    {
        await using var host = await KestrelHost.StartAsync(o => o.AllowedOrigins.Add("*"));

        await AssertAcceptedAsync(host, origin);
        await AssertAcceptedAsync(host, origin: null);
    }

    [Fact]
    public async Task An_AllowedOrigin_that_is_not_an_origin_fails_at_startup()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => KestrelHost.StartAsync(o => o.AllowedOrigins.Add("https://example.com/path")));
        Assert.Contains("AllowedOrigins", error.Message, StringComparison.Ordinal);
    }

    private static async Task AssertAcceptedAsync(KestrelHost host, string? origin)
    {
        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"), o => SetOrigin(o, origin));
        await client.SendTextAsync("hello from " + (origin ?? "nowhere"));
        Assert.Equal("hello from " + (origin ?? "nowhere"), await client.ReceiveTextAsync());
        await client.CloseAsync();
    }

    private static Task<HttpStatusCode> RefusedWithAsync(KestrelHost host, string? origin) =>
        WsClient.ConnectExpectingRefusalAsync(host.WebSocketUri("/ws/echo/"), o => SetOrigin(o, origin));

    private static void SetOrigin(System.Net.WebSockets.ClientWebSocketOptions options, string? origin)
    {
        if (origin is not null)
        {
            options.SetRequestHeader("Origin", origin);
        }
    }
}
