using Switchyard.AspNetCore.Tests.Support;
using Switchyard.Client.TestMessages;
using Switchyard.Client.Tests.Support;
using Xunit;

namespace Switchyard.Client.Tests;

/// <summary>Typed messages both ways, batch frames, handler failures and the send queue, against a real Kestrel server.</summary>
public sealed class MessageTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_typed_message_goes_to_the_server_and_its_typed_answer_to_the_handler_of_its_type()
    {
        await using var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/echo/"));
        var states = new StateRecorder(client);
        var echoes = new Inbox<Echoed>(client);
        var notes = new Inbox<Note>(client);

        await client.ConnectAsync(Ct);
        Assert.Equal(SwitchyardClientState.Open, client.State);
        await client.SendAsync(new Line("héllo \"world\"\n"), Ct);

        var echo = await echoes.ReceiveAsync();
        Assert.Equal(new Echoed("héllo \"world\"\n", 14), echo);
        Assert.False(notes.TryReceive(out _));
        await client.CloseAsync(Ct);
        Assert.Equal([SwitchyardClientState.Connecting, SwitchyardClientState.Open, SwitchyardClientState.Closed], states.States);
        Assert.Null(states.Events[^1].Error);
    }

    [Fact]
    public async Task The_handshake_offers_switchyard_batch_and_carries_what_ConfigureWebSocket_set()
    {
        await using var client = new SwitchyardClient(
            _server.WebSocketUri("/ws/client/hello/?room=a"),
            new SwitchyardClientOptions { ConfigureWebSocket = ws => ws.SetRequestHeader("X-Client", "tests") });
        var notes = new Inbox<Note>(client);

        await client.ConnectAsync(Ct);

        Assert.Equal("tests|switchyard.batch|?room=a", (await notes.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task A_reconnect_carries_the_last_position_in_since_replacing_the_one_the_URL_had()
    {
        await using var client = new SwitchyardClient(
            _server.WebSocketUri("/ws/client/hello/?restart=1&since=stale%3A1"),
            new SwitchyardClientOptions { Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(20) } });
        var states = new StateRecorder(client);
        var notes = new Inbox<Note>(client);

        await client.ConnectAsync(Ct);

        Assert.Equal(["-|switchyard.batch|?restart=1&since=stale%3A1", "positioned", "-|switchyard.batch|?restart=1&since=e9%3A4"], (await notes.ReceiveAsync(3)).Select(n => n.Text));
        Assert.Equal("e9:4", client.Position);
        await states.WaitForAsync(SwitchyardClientState.Open, count: 2);
        Assert.Equal(SwitchyardCloseKind.ServiceRestart, ((SwitchyardClosedException)states.Events.Single(e => e.State == SwitchyardClientState.Reconnecting).Error!).Kind);
    }

    [Fact]
    public async Task A_burst_of_500_group_messages_to_a_batch_client_arrives_complete_and_in_order()
    {
        await using var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/room/burst/"));
        var notes = new Inbox<Note>(client);
        await client.ConnectAsync(Ct);

        // The consumer is in the group once a message it publishes comes back.
        await client.SendAsync(new Publish("ready"), Ct);
        Assert.Equal("ready", (await notes.ReceiveAsync()).Text);
        for (var i = 0; i < 500; i++)
        {
            await _server.Layer.GroupSendAsync("room.burst", ChannelMessage.Create(new Note($"n{i}")), Ct);
        }

        var received = await notes.ReceiveAsync(500);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"n{i}"), received.Select(n => n.Text));
        Assert.False(notes.TryReceive(out _));
    }

    [Fact]
    public async Task A_frame_of_several_messages_separated_by_newlines_is_split_and_its_empty_parts_ignored()
    {
        await using var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/echo/"));
        var notes = new Inbox<Note>(client);
        var echoes = new Inbox<Echoed>(client);
        await client.ConnectAsync(Ct);

        await client.SendAsync(new BatchMe(5), Ct);

        Assert.Equal(["b1", "b2", "b3", "b4", "b5"], (await notes.ReceiveAsync(5)).Select(n => n.Text));
        await client.SendAsync(new Line("after"), Ct);
        Assert.Equal("after", (await echoes.ReceiveAsync()).Text);
        Assert.False(notes.TryReceive(out _));
    }

    [Fact]
    public async Task A_frame_at_or_before_the_last_position_of_its_epoch_is_dropped_and_Position_is_the_last_kept()
    {
        await using var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/echo/"));
        var notes = new Inbox<Note>(client);
        await client.ConnectAsync(Ct);
        Assert.Null(client.Position);

        await client.SendAsync(new SendPositions("e1"), Ct);

        Assert.Equal(["p1", "p2", "p3", "end"], (await notes.ReceiveAsync(4)).Select(n => n.Text));
        Assert.Equal("e1:3", client.Position);

        // Another epoch (the history was lost): its positions start over and are kept.
        await client.SendAsync(new SendPositions("e2"), Ct);
        Assert.Equal(["p1", "p2", "p3", "end"], (await notes.ReceiveAsync(4)).Select(n => n.Text));
        Assert.Equal("e2:3", client.Position);
    }

    [Fact]
    public async Task A_handler_that_throws_is_logged_and_the_next_message_is_handled()
    {
        var logs = new CapturingLoggerProvider();
        await using var client = new SwitchyardClient(
            _server.WebSocketUri("/ws/client/echo/"),
            new SwitchyardClientOptions { Logger = logs.CreateLogger("Switchyard.Client") });
        var handled = new List<string>();
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = client.On<Echoed>((echo, _) =>
        {
            handled.Add(echo.Text);
            if (echo.Text == "boom")
            {
                throw new InvalidOperationException("the handler broke");
            }

            second.TrySetResult();
            return default;
        });
        await client.ConnectAsync(Ct);

        await client.SendAsync(new Line("boom"), Ct);
        await client.SendAsync(new Line("fine"), Ct);

        await second.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(["boom", "fine"], handled);
        var failure = await logs.WaitForAsync("HandlerFailed");
        Assert.IsType<InvalidOperationException>(failure.Exception);
        Assert.Equal(SwitchyardClientState.Open, client.State);
    }

    [Fact]
    public async Task A_disposed_handler_gets_no_more_messages()
    {
        await using var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/echo/"));
        var first = new Inbox<Echoed>(client);
        await client.ConnectAsync(Ct);
        await client.SendAsync(new Line("one"), Ct);
        Assert.Equal("one", (await first.ReceiveAsync()).Text);

        first.Registration.Dispose();
        var second = new Inbox<Echoed>(client);
        await client.SendAsync(new Line("two"), Ct);

        Assert.Equal("two", (await second.ReceiveAsync()).Text);
        Assert.False(first.TryReceive(out _));
    }

    [Fact]
    public async Task Frames_sent_before_the_connection_opens_are_queued_up_to_MaxQueued_and_sent_first_in_order()
    {
        await using var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/echo/"), new SwitchyardClientOptions { MaxQueued = 3 });
        var echoes = new Inbox<Echoed>(client);
        await client.SendAsync(new Line("q1"), Ct);
        await client.SendAsync(new Line("q2"), Ct);
        await client.SendAsync(new Line("q3"), Ct);

        var full = await Assert.ThrowsAsync<SwitchyardClientException>(async () => await client.SendAsync(new Line("q4"), Ct));
        Assert.Contains("MaxQueued", full.Message, StringComparison.Ordinal);

        await client.ConnectAsync(Ct);
        await client.SendAsync(new Line("live"), Ct);
        Assert.Equal(["q1", "q2", "q3", "live"], (await echoes.ReceiveAsync(4)).Select(e => e.Text));
    }

    [Fact]
    public async Task A_closed_client_refuses_to_send()
    {
        var client = new SwitchyardClient(_server.WebSocketUri("/ws/client/echo/"));
        await client.ConnectAsync(Ct);
        await client.DisposeAsync();

        Assert.Equal(SwitchyardClientState.Closed, client.State);
        var closed = await Assert.ThrowsAsync<SwitchyardClosedException>(async () => await client.SendAsync(new Line("late"), Ct));
        Assert.Equal(SwitchyardCloseKind.Normal, closed.Kind);
    }
}
