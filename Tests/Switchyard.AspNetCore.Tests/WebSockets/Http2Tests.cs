using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.WebSockets;

/// <summary>
/// WebSockets over HTTP/2 (RFC 8441 extended CONNECT) against a real Kestrel with TLS and ALPN, HTTP/1.1 and HTTP/2 on
/// one listener, and <see cref="ClientWebSocket"/> asking for HTTP/2 exactly.
/// </summary>
public sealed class Http2Tests : IAsyncLifetime
{
    private readonly X509Certificate2 _certificate = TestCertificate.Create();
    private KestrelHost _host = null!;
    private HttpClient _client = null!;
    private int _tcpConnections;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(HttpProtocols.Http1AndHttp2, tls: true);
        _client = TestCertificate.TrustingClient(_certificate);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task A_JSON_consumer_round_trips_over_HTTP2()
    {
        using var client = await ConnectHttp2Async("/ws/chat/h2/");

        // The wire's own answer: 200 to an extended CONNECT (101 would be HTTP/1.1), and no Sec-WebSocket-Accept.
        Assert.Equal(HttpStatusCode.OK, client.Socket.HttpStatusCode);
        Assert.DoesNotContain(client.Socket.HttpResponseHeaders!.Keys, k => k.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("\"type\":\"test.hello\"", await client.ReceiveTextAsync());

        await client.SendTextAsync("""{"type":"chat.say","text":"over h2"}""");
        Assert.Equal("""{"type":"chat.message","room":"h2","text":"over h2"}""", await client.ReceiveTextAsync());

        var opened = await _host.Logs.WaitForAsync("WebSocketOpened");
        Assert.Contains("opened over HTTP/2 (extended CONNECT)", opened.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_consumer_picks_an_offered_subprotocol_over_HTTP2()
    {
        using var client = await ConnectHttp2Async("/ws/gate/?protocol=b", o =>
        {
            o.AddSubProtocol("a");
            o.AddSubProtocol("b");
        });

        Assert.Equal("b", client.Socket.SubProtocol);
        Assert.Equal("protocol:b", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_consumer_that_rejects_answers_403_over_HTTP2()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await WsClient.ConnectExpectingRefusalAsync(_host.WebSocketUri("/ws/gate/?reject"), Http2, _client));
        Assert.StartsWith("gate-stopped:", await _host.Events.WaitForAsync("gate-stopped:"));
    }

    [Fact]
    public async Task The_client_close_code_reaches_the_consumer_and_is_echoed_over_HTTP2()
    {
        using var client = await ConnectHttp2Async("/ws/echo/");

        await client.CloseAsync((WebSocketCloseStatus)4321, "bye");

        Assert.Equal((WebSocketCloseStatus)4321, client.Socket.CloseStatus);
        Assert.Equal("disconnect:4321", await _host.Events.WaitForAsync("disconnect:"));
    }

    [Fact]
    public async Task The_consumer_closes_with_its_code_over_HTTP2()
    {
        using var client = await ConnectHttp2Async("/ws/echo/");

        await client.SendTextAsync("close:4002");

        Assert.Equal((WebSocketCloseStatus)4002, await client.ReceiveCloseAsync());
        Assert.Equal("closed by consumer", client.Socket.CloseStatusDescription);
        await client.CloseAsync((WebSocketCloseStatus)4002);
        Assert.Equal("disconnect:4002", await _host.Events.WaitForAsync("disconnect:"));
    }

    [Fact]
    public async Task A_message_larger_than_the_HTTP2_flow_control_windows_round_trips()
    {
        using var client = await ConnectHttp2Async("/ws/echo/");

        // 900 KB each way: past SocketsHttpHandler's 64 KiB initial stream window and Kestrel's 768 KiB one, so both
        // sides' writes wait for WINDOW_UPDATEs on the way.
        var data = new byte[900_000];
        new Random(17).NextBytes(data);
        await client.SendAsync(data, WebSocketMessageType.Binary);

        var (type, echoed) = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(data, echoed);
    }

    [Fact]
    public async Task Two_WebSockets_share_one_TCP_connection()
    {
        using var first = await ConnectHttp2Async("/ws/echo/");
        using var second = await ConnectHttp2Async("/ws/echo/");

        // Interleaved on the two streams: each gets its own answers.
        await first.SendTextAsync("one");
        await second.SendTextAsync("two");
        Assert.Equal("two", await second.ReceiveTextAsync());
        Assert.Equal("one", await first.ReceiveTextAsync());

        Assert.Equal(1, Volatile.Read(ref _tcpConnections));
        Assert.Equal(2, (await _host.Logs.WaitForCountAsync("WebSocketOpened", 2)).Count);
    }

    [Fact]
    public async Task A_client_that_aborts_its_stream_disconnects_with_1006_and_the_other_stream_keeps_working()
    {
        var leaving = await ConnectHttp2Async("/ws/echo/");
        using var staying = await ConnectHttp2Async("/ws/echo/");

        // ClientWebSocket's abort on HTTP/2 resets its stream only (RST_STREAM), not the connection.
        leaving.Socket.Abort();
        leaving.Dispose();

        Assert.Equal("disconnect:1006", await _host.Events.WaitForAsync("disconnect:"));
        await staying.SendTextAsync("still here");
        Assert.Equal("still here", await staying.ReceiveTextAsync());
        Assert.Equal(1, Volatile.Read(ref _tcpConnections));
    }

    [Fact]
    public async Task HTTP11_WebSockets_still_work_on_the_same_listener()
    {
        using var client = await WsClient.ConnectAsync(_host.WebSocketUri("/ws/echo/"), o => o.CollectHttpResponseDetails = true, _client);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, client.Socket.HttpStatusCode);
        await client.SendTextAsync("over 1.1");
        Assert.Equal("over 1.1", await client.ReceiveTextAsync());
        var opened = await _host.Logs.WaitForAsync("WebSocketOpened");
        Assert.Contains("opened over HTTP/1.1 (upgrade)", opened.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_shutdown_closes_an_HTTP2_WebSocket_with_1001()
    {
        using var client = await ConnectHttp2Async("/ws/echo/");
        await client.SendTextAsync("ready");
        Assert.Equal("ready", await client.ReceiveTextAsync());

        var stopping = _host.StopAsync();

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
        await client.CloseAsync(WebSocketCloseStatus.EndpointUnavailable);
        await stopping;
    }

    [Fact]
    public async Task A_plain_HTTP2_GET_to_a_WebSocket_route_gets_400_with_the_reason_and_one_log_line()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _host.HttpUri("/ws/echo/")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("extended CONNECT", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        AssertOneRefusal(400);
    }

    [Theory]
    [InlineData("webtransport", "13", "protocol 'webtransport'")]
    [InlineData("websocket", "8", "version 13")]
    public async Task A_bad_extended_CONNECT_gets_400_with_the_reason_and_one_log_line(string protocol, string version, string reason)
    {
        using var request = new HttpRequestMessage(HttpMethod.Connect, _host.HttpUri("/ws/echo/")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Protocol = protocol;
        request.Headers.Add("Sec-WebSocket-Version", version);

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("13", response.Headers.GetValues("Sec-WebSocket-Version").Single());
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        AssertOneRefusal(400);
    }

    [Fact]
    public async Task A_client_dropped_for_a_ping_timeout_loses_its_stream_only()
    {
        await using var host = await StartAsync(HttpProtocols.Http1AndHttp2, tls: true, o =>
        {
            o.WebSockets.PingInterval = TimeSpan.FromMilliseconds(100);
            o.WebSockets.PingTimeout = TimeSpan.FromMilliseconds(300);
        });
        var before = Volatile.Read(ref _tcpConnections);
        using var silent = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"), Http2, _client);
        using var reading = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"), Http2, _client);

        // ClientWebSocket answers a ping only while a receive is pending: "reading" always has one, "silent" never.
        var echo = reading.ReceiveTextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("disconnect:1006", await host.Events.WaitForAsync("disconnect:"));

        // The server reset the silent client's stream (RST_STREAM), rather than end it as if the WebSocket were done ...
        var lost = await Assert.ThrowsAsync<WebSocketException>(() => silent.ReceiveAsync());
        Assert.Equal(WebSocketState.Aborted, silent.Socket.State);
        var reset = Assert.IsType<HttpProtocolException>(lost.InnerException);
        Assert.Equal(0x2, reset.ErrorCode); // INTERNAL_ERROR: Kestrel's code for a stream the application aborted

        // ... and the other WebSocket on the same TCP connection goes on.
        await reading.SendTextAsync("still here");
        Assert.Equal("still here", await echo);
        Assert.Equal(before + 1, Volatile.Read(ref _tcpConnections));
    }

    [Fact]
    public async Task Permessage_deflate_is_negotiated_over_HTTP2_as_over_HTTP1()
    {
        await using var host = await StartAsync(HttpProtocols.Http1AndHttp2, tls: true, o => o.WebSockets.EnableCompression = true);
        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"), o =>
        {
            Http2(o);
            o.DangerousDeflateOptions = new WebSocketDeflateOptions();
        }, _client);

        Assert.Equal(HttpStatusCode.OK, client.Socket.HttpStatusCode);
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            client.Socket.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single());
        var text = string.Concat(Enumerable.Repeat("compressed over one HTTP/2 stream ", 100));
        await client.SendTextAsync(text);
        Assert.Equal(text, await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Cleartext_HTTP2_with_prior_knowledge_serves_WebSockets_too()
    {
        await using var host = await StartAsync(HttpProtocols.Http2, tls: false);
        using var client = await WsClient.ConnectAsync(host.WebSocketUri("/ws/echo/"), Http2, _client);

        Assert.Equal(HttpStatusCode.OK, client.Socket.HttpStatusCode);
        await client.SendTextAsync("h2c");
        Assert.Equal("h2c", await client.ReceiveTextAsync());
        Assert.Contains("opened over HTTP/2 (extended CONNECT)", (await host.Logs.WaitForAsync("WebSocketOpened")).Message, StringComparison.Ordinal);
    }

    private static void Http2(ClientWebSocketOptions options)
    {
        options.HttpVersion = HttpVersion.Version20;
        options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        options.CollectHttpResponseDetails = true;
    }

    private void AssertOneRefusal(int status)
    {
        var refused = Assert.Single(_host.Logs.WithEvent("WebSocketRefused"));
        Assert.Contains($"HTTP {status}", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_host.Logs.All, r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    private Task<WsClient> ConnectHttp2Async(string pathAndQuery, Action<ClientWebSocketOptions>? configure = null) =>
        WsClient.ConnectAsync(_host.WebSocketUri(pathAndQuery), o =>
        {
            Http2(o);
            configure?.Invoke(o);
        }, _client);

    private Task<KestrelHost> StartAsync(HttpProtocols protocols, bool tls, Action<SwitchyardServerOptions>? configure = null) =>
        KestrelHost.StartAsync(configure, kestrel: k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;

            // Before TLS: counts TCP connections, whatever runs over them.
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref _tcpConnections);
                return next(connection);
            });
            if (tls)
            {
                listen.UseHttps(_certificate);
            }
        }));
}
