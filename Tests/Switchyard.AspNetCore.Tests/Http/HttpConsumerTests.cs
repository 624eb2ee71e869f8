using System.Net;
using System.Text;
using Switchyard.AspNetCore.Tests.Consumers;
using Switchyard.AspNetCore.Tests.Support;
using Xunit;

namespace Switchyard.AspNetCore.Tests.Http;

/// <summary>HTTP consumers on a real Kestrel: request/response, limits, Server-Sent Events and long-polling through groups.</summary>
public sealed class HttpConsumerTests : IAsyncLifetime
{
    private KestrelHost _host = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async ValueTask InitializeAsync() => _host = await KestrelHost.StartAsync(o => o.MaxRequestBodySize = 1000);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_request_gets_the_consumer_response_with_route_values_and_query()
    {
        var response = await _http.GetStringAsync(_host.HttpUri("/http/hello/ada?x=1"), TestContext.Current.CancellationToken);
        Assert.Equal("hello ada (GET ?x=1)", response);
    }

    [Fact]
    public async Task A_route_value_that_cannot_name_the_group_gets_400_and_one_log_line_not_a_500()
    {
        using var response = await _http.GetAsync(_host.HttpUri("/http/events/a%20b%0D%0Aforged"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("group name", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var refused = Assert.Single(_host.Logs.WithEvent("HttpConsumerRefused"));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, refused.Level);
        Assert.Null(refused.Exception);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Contains(@"a b\r\nforged", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_host.Logs.WithEvent("ConsumerStarted"));
        Assert.DoesNotContain(_host.Logs.All, r => r.Exception is not null);
    }

    [Fact]
    public async Task The_body_reaches_the_consumer_and_headers_and_status_come_back()
    {
        using var content = new ByteArrayContent([1, 2, 3]);
        using var response = await _http.PostAsync(_host.HttpUri("/http/echo"), content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("3", response.Headers.GetValues("x-length").Single());
        Assert.Equal(new byte[] { 1, 2, 3 }, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413()
    {
        using var content = new ByteArrayContent(new byte[1001]);
        using var response = await _http.PostAsync(_host.HttpUri("/http/echo"), content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_method_the_route_does_not_take_gets_405()
    {
        using var response = await _http.DeleteAsync(_host.HttpUri("/http/echo"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task A_consumer_that_throws_gets_500()
    {
        using var response = await _http.GetAsync(_host.HttpUri("/http/fail"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task Server_sent_events_stream_group_messages_until_the_consumer_ends_the_response()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var response = await _http.GetAsync(_host.HttpUri("/http/events/news"), HttpCompletionOption.ResponseHeadersRead, cancellation);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation), Encoding.UTF8);
        Assert.Equal("data: ready", await reader.ReadLineAsync(cancellation));
        Assert.Equal(string.Empty, await reader.ReadLineAsync(cancellation));
        await _host.Events.WaitForAsync("sse-ready:news");

        await _host.Layer.GroupSendAsync("events.news", ChannelMessage.Create(new ChatMessage("news", "first")), cancellation);
        Assert.Equal("event: chat", await reader.ReadLineAsync(cancellation));
        Assert.Equal("data: first", await reader.ReadLineAsync(cancellation));
        Assert.Equal(string.Empty, await reader.ReadLineAsync(cancellation));

        await _host.Layer.GroupSendAsync("events.news", ChannelMessage.Create(new ChatMessage("news", "end")), cancellation);
        Assert.Equal("event: end\ndata: bye\n\n", await reader.ReadToEndAsync(cancellation));
    }

    [Fact]
    public async Task A_client_leaving_a_stream_reaches_OnDisconnect()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var response = await _http.GetAsync(_host.HttpUri("/http/events/gone"), HttpCompletionOption.ResponseHeadersRead, cancellation);
        await _host.Events.WaitForAsync("sse-ready:gone");
        response.Dispose();
        Assert.Equal("sse-disconnect:gone", await _host.Events.WaitForAsync("sse-disconnect:"));
    }

    [Fact]
    public async Task A_long_poll_is_answered_by_the_next_group_message()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var poll = _http.GetStringAsync(_host.HttpUri("/http/poll/jobs"), cancellation);
        await _host.Events.WaitForAsync("poll-waiting:jobs");
        await _host.Layer.GroupSendAsync("poll.jobs", ChannelMessage.Create(new ChatMessage("jobs", "done")), cancellation);
        Assert.Equal("""{"type":"chat.message","room":"jobs","text":"done"}""", await poll);
    }
}
