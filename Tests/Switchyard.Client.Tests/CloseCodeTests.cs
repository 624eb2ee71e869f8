using Switchyard.Client.TestMessages;
using Switchyard.Client.Tests.Consumers;
using Switchyard.Client.Tests.Support;
using Xunit;

namespace Switchyard.Client.Tests;

/// <summary>Close codes that forbid a reconnect close the client with the code, reason and kind; failed connects.</summary>
public sealed class CloseCodeTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static SwitchyardClientOptions FastReconnects() => new()
    {
        Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50) },
    };

    [Fact]
    public async Task A_type_no_server_handler_takes_closes_with_1003_UnsupportedData_and_no_reconnect()
    {
        var error = await CloseWithAsync(client => client.SendAsync(new Nobody("?"), Ct));

        Assert.Equal(1003, error.Code);
        Assert.Equal(SwitchyardCloseKind.UnsupportedData, error.Kind);
        Assert.Contains("test.nobody", error.Reason, StringComparison.Ordinal);
        Assert.False(error.Reconnects);
    }

    [Fact]
    public async Task A_message_without_its_required_field_closes_with_1007_InvalidPayload_and_no_reconnect()
    {
        var error = await CloseWithAsync(client => client.SendAsync(new StrictBroken(7), Ct));

        Assert.Equal(1007, error.Code);
        Assert.Equal(SwitchyardCloseKind.InvalidPayload, error.Kind);
        Assert.False(error.Reconnects);
    }

    [Fact]
    public async Task A_policy_close_1008_is_PolicyViolation_with_its_reason_and_no_reconnect()
    {
        var error = await CloseWithAsync(client => client.SendAsync(new CloseMe(1008, "you are too slow"), Ct));

        Assert.Equal(1008, error.Code);
        Assert.Equal(SwitchyardCloseKind.PolicyViolation, error.Kind);
        Assert.Equal("you are too slow", error.Reason);
        Assert.Contains("you are too slow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_normal_close_by_the_server_closes_the_client_with_the_reason()
    {
        var error = await CloseWithAsync(client => client.SendAsync(new CloseMe(1000, "bye"), Ct));

        Assert.Equal(SwitchyardCloseKind.Normal, error.Kind);
        Assert.Equal("bye", error.Reason);
    }

    [Fact]
    public async Task A_refused_handshake_is_retried_up_to_MaxAttempts_then_ConnectAsync_throws_with_the_HTTP_status()
    {
        var options = FastReconnects();
        options.Reconnect.MaxAttempts = 3;
        await using var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/no-such-consumer/"), options);
        var states = new StateRecorder(client);

        var error = await Assert.ThrowsAsync<SwitchyardClosedException>(() => client.ConnectAsync(Ct));

        Assert.Equal(SwitchyardCloseKind.ConnectFailed, error.Kind);
        Assert.Equal(404, error.HttpStatusCode);
        Assert.Contains("HTTP 404", error.Message, StringComparison.Ordinal);
        Assert.Equal([SwitchyardClientState.Connecting, SwitchyardClientState.Closed], states.States);
        Assert.Same(error, states.Events[^1].Error);
    }

    [Fact]
    public async Task Without_reconnects_a_connect_to_a_port_nobody_listens_on_fails_at_once()
    {
        var port = _server.Port;
        await _server.StopAsync();
        await using var client = new SwitchyardClient(new Uri($"ws://127.0.0.1:{port}/ws/client/echo/"), new SwitchyardClientOptions { Reconnect = { Enabled = false } });

        var error = await Assert.ThrowsAsync<SwitchyardClosedException>(() => client.ConnectAsync(Ct));

        Assert.Equal(SwitchyardCloseKind.ConnectFailed, error.Kind);
        Assert.Null(error.HttpStatusCode);
        Assert.Equal(SwitchyardClientState.Closed, client.State);
    }

    // Connects, makes the server close, and returns the error the client closed with (checking it never reconnected).
    private async Task<SwitchyardClosedException> CloseWithAsync(Func<SwitchyardClient, ValueTask> provoke)
    {
        await using var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/echo/"), FastReconnects());
        var states = new StateRecorder(client);
        await client.ConnectAsync(Ct);

        await provoke(client);

        var closed = await states.WaitForAsync(SwitchyardClientState.Closed);
        Assert.Equal([SwitchyardClientState.Connecting, SwitchyardClientState.Open, SwitchyardClientState.Closed], states.States);
        Assert.Equal(SwitchyardClientState.Closed, client.State);
        var error = Assert.IsType<SwitchyardClosedException>(closed.Error);
        var late = await Assert.ThrowsAsync<SwitchyardClosedException>(async () => await client.SendAsync(new Line("late"), Ct));
        Assert.Same(error, late);
        return error;
    }
}
