using System.Net;
using System.Net.WebSockets;
using System.Text;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>The chat sample on Redis started while Redis is down: it starts, is unhealthy, refuses sockets with 503, and works once Redis is there.</summary>
public sealed class ChatAvailabilityTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private RedisServer _server = null!;

    public ValueTask InitializeAsync()
    {
        _server = RedisServer.NotStarted();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_chat_server_started_without_Redis_serves_its_page_refuses_sockets_and_chats_once_Redis_is_there()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var chat = await ChatProcess.StartAsync(_server.ConnectionString);
        var origin = $"http://127.0.0.1:{chat.Port}";

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{origin}/", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthAsync(origin, ct));
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => CrossProcessTests.ConnectAsync(chat.Port, "early", ct));
        Assert.Contains("503", refused.Message, StringComparison.Ordinal);

        await _server.RestartAsync();

        // The process's health endpoint is the only signal from outside it: asked again (bounded) until it says Healthy.
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(10));
            while (await HealthAsync(origin, deadline.Token) != HttpStatusCode.OK)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }

        using var ada = await CrossProcessTests.ConnectAsync(chat.Port, "ada", ct);
        using var bob = await CrossProcessTests.ConnectAsync(chat.Port, "bob", ct);
        await CrossProcessTests.ReceiveUntilAsync(ada, "\"info\":\"bob\"", ct);
        await ada.SendAsync(Encoding.UTF8.GetBytes("""{"type":"chat.say","text":"Redis is back"}"""), WebSocketMessageType.Text, true, ct);
        Assert.Contains("\"user\":\"ada\"", await CrossProcessTests.ReceiveUntilAsync(bob, "Redis is back", ct), StringComparison.Ordinal);
        Assert.False(chat.HasExited);
    }

    private async Task<HttpStatusCode> HealthAsync(string origin, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"{origin}/healthz", ct);
        return response.StatusCode;
    }
}
