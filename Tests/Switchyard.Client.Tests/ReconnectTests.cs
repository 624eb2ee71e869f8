using Switchyard.Client.TestMessages;
using Switchyard.Client.Tests.Support;
using Xunit;

namespace Switchyard.Client.Tests;

/// <summary>Reconnects: after the server went away and came back on the same port, and resume from the last position.</summary>
public sealed class ReconnectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SwitchyardClientOptions FastReconnects() => new()
    {
        Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) },
    };

    [Fact]
    public async Task After_the_server_stops_and_a_new_one_starts_on_the_same_port_the_client_reconnects_and_sends_what_it_queued()
    {
        var first = await TestServer.StartAsync();
        var port = first.Port;
        await using var client = new SwitchyardClient(first.WebSocketUri("/ws/client/echo/"), FastReconnects());
        var states = new StateRecorder(client);
        var echoes = new Inbox<Echoed>(client);
        await client.ConnectAsync(Ct);
        await client.SendAsync(new Line("before"), Ct);
        Assert.Equal("before", (await echoes.ReceiveAsync()).Text);

        // Shutting down closes the connection with 1001; the client retries while nobody listens.
        await first.StopAsync();
        await first.DisposeAsync();
        var reconnecting = await states.WaitForAsync(SwitchyardClientState.Reconnecting);
        var goingAway = Assert.IsType<SwitchyardClosedException>(reconnecting.Error);
        Assert.Equal(SwitchyardCloseKind.GoingAway, goingAway.Kind);
        Assert.Equal(1001, goingAway.Code);
        await client.SendAsync(new Line("while away"), Ct);

        await using var second = await TestServer.StartAsync(port);
        await states.WaitForAsync(SwitchyardClientState.Open, count: 2);
        Assert.True(
            states.States.SequenceEqual([SwitchyardClientState.Connecting, SwitchyardClientState.Open, SwitchyardClientState.Reconnecting, SwitchyardClientState.Open]),
            $"The states were: {states.Describe()}");
        Assert.Equal("while away", (await echoes.ReceiveAsync()).Text);
        await client.SendAsync(new Line("after"), Ct);
        Assert.Equal("after", (await echoes.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task A_client_that_reconnects_resumes_the_messages_sent_while_it_was_away_once_each_and_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = new SwitchyardClient(server.WebSocketUri("/ws/client/feed/news/"), FastReconnects());
        var states = new StateRecorder(client);
        var notes = new Inbox<Note>(client);
        var joins = new Inbox<Joined>(client);
        await client.ConnectAsync(Ct);
        Assert.Equal(0, (await joins.ReceiveAsync()).Replayed);

        for (var i = 1; i <= 3; i++)
        {
            await server.Layer.GroupSendAsync("feed.news", ChannelMessage.Create(new Note($"n{i}")), Ct);
        }

        Assert.Equal(["n1", "n2", "n3"], (await notes.ReceiveAsync(3)).Select(n => n.Text));
        var position = client.Position;
        Assert.NotNull(position);
        var epoch = GroupPosition.Parse(position).Epoch;
        Assert.Equal(3, GroupPosition.Parse(position).Offset);

        // The server restarts the connection (1012) and refuses handshakes (503) while the group gets more messages.
        server.Refusing = true;
        await client.SendAsync(new CloseMe(1012, "restarting"), Ct);
        var reconnecting = await states.WaitForAsync(SwitchyardClientState.Reconnecting);
        Assert.Equal(SwitchyardCloseKind.ServiceRestart, ((SwitchyardClosedException)reconnecting.Error!).Kind);
        for (var i = 4; i <= 8; i++)
        {
            await server.Layer.GroupSendAsync("feed.news", ChannelMessage.Create(new Note($"n{i}")), Ct);
        }

        Assert.Equal(SwitchyardClientState.Reconnecting, client.State);
        server.Refusing = false;

        // The replay (n4..n8) comes before the notice, then live messages; nothing twice.
        var joined = await joins.ReceiveAsync();
        Assert.Equal(5, joined.Replayed);
        Assert.Equal("None", joined.Loss);
        await server.Layer.GroupSendAsync("feed.news", ChannelMessage.Create(new Note("n9")), Ct);
        Assert.Equal(["n4", "n5", "n6", "n7", "n8", "n9"], (await notes.ReceiveAsync(6)).Select(n => n.Text));
        Assert.Equal($"{epoch}:9", client.Position);
        Assert.False(notes.TryReceive(out _));
        Assert.Equal(2, states.States.Count(s => s == SwitchyardClientState.Open));
    }

    [Fact]
    public async Task The_backoff_grows_with_each_failed_attempt_and_gives_up_after_MaxAttempts()
    {
        await using var server = await TestServer.StartAsync();
        server.Refusing = true;
        var draws = 0;
        var options = new SwitchyardClientOptions
        {
            Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(10), Factor = 2, MaxDelay = TimeSpan.FromMilliseconds(40), MaxAttempts = 5 },
            Jitter = () =>
            {
                Interlocked.Increment(ref draws);
                return 0.5;
            },
        };
        await using var client = new SwitchyardClient(server.WebSocketUri("/ws/client/echo/"), options);

        var error = await Assert.ThrowsAsync<SwitchyardClosedException>(() => client.ConnectAsync(Ct));

        Assert.Equal(503, error.HttpStatusCode);
        Assert.Equal(4, draws);   // five attempts, four waits between them
        Assert.Equal(SwitchyardClientState.Closed, client.State);
    }
}
