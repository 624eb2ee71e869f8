using Microsoft.Extensions.DependencyInjection;
using Switchyard.Server;
using Xunit;

namespace Switchyard.Testing.Tests;

/// <summary>The communicators drive real consumers in process: the verbs users write their own tests with.</summary>
public sealed class CommunicatorTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSingleton<Greeter>()
        .AddSwitchyard().Services
        .BuildServiceProvider();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task A_WebSocket_consumer_is_found_by_path_connected_and_talked_to()
    {
        await using var alice = WebSocketCommunicator.ForPath(_services, "/rooms/lobby/?alice");
        var connected = await alice.ConnectAsync();
        Assert.True(connected.IsAccepted);
        Assert.Equal(new Said("lobby", "welcome, alice"), await alice.ReceiveJsonAsync<Said>());

        await using var bob = WebSocketCommunicator.ForPath(_services, "/rooms/lobby/?bob");
        Assert.True((await bob.ConnectAsync()).IsAccepted);
        Assert.Equal(new Said("lobby", "welcome, bob"), await bob.ReceiveJsonAsync<Said>());

        await alice.SendJsonAsync(new Say("hi bob"));
        Assert.Equal(new Said("lobby", "hi bob"), await bob.ReceiveJsonAsync<Said>());
        Assert.Equal(new Said("lobby", "hi bob"), await alice.ReceiveJsonAsync<Said>());
        Assert.True(await bob.ReceiveNothingAsync());
    }

    [Fact]
    public async Task A_refusal_comes_back_as_the_HTTP_status()
    {
        await using var communicator = WebSocketCommunicator.ForPath(_services, "/rooms/closed/");
        var result = await communicator.ConnectAsync();
        Assert.False(result.IsAccepted);
        Assert.Equal(403, result.StatusCode);
    }

    [Fact]
    public async Task Disconnect_reaches_the_consumer_with_the_code()
    {
        var consumer = new RoomConsumer(new Greeter());
        await using var communicator = new WebSocketCommunicator(consumer, routeValues: new Dictionary<string, string> { ["room"] = "r" });
        Assert.True((await communicator.ConnectAsync()).IsAccepted);
        await communicator.ReceiveTextAsync();
        await communicator.DisconnectAsync(4100);
        Assert.Equal(4100, consumer.DisconnectCode);
    }

    [Fact]
    public async Task Bad_input_closes_with_the_documented_code()
    {
        await using var communicator = WebSocketCommunicator.ForPath(_services, "/rooms/x/");
        Assert.True((await communicator.ConnectAsync()).IsAccepted);
        await communicator.ReceiveTextAsync();
        await communicator.SendTextAsync("{not json");
        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, await communicator.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Receiving_with_nothing_sent_times_out_instead_of_hanging()
    {
        await using var communicator = WebSocketCommunicator.ForPath(_services, "/rooms/quiet/");
        Assert.True((await communicator.ConnectAsync()).IsAccepted);
        await communicator.ReceiveTextAsync();
        await Assert.ThrowsAsync<TimeoutException>(() => communicator.ReceiveTextAsync(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task An_HTTP_consumer_answers_through_the_communicator()
    {
        await using var communicator = HttpCommunicator.ForPath(_services, "GET", "/greet/ada");
        var response = await communicator.GetResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("welcome, ada", response.Text);
        Assert.Contains(response.Headers, h => h.Key == "content-type" && h.Value.StartsWith("text/plain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_consumer_options_given_to_a_communicator_reach_the_runner()
    {
        // Options the runner refuses prove they got there: a server's SwitchyardServerOptions.Consumers travels the same way.
        var invalid = new ConsumerOptions { DrainTimeout = TimeSpan.FromSeconds(-1) };
        await using var webSocket = new WebSocketCommunicator(new RoomConsumer(new Greeter()), consumerOptions: invalid);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => webSocket.ConnectAsync());
        Assert.Contains(nameof(ConsumerOptions.DrainTimeout), refused.Message, StringComparison.Ordinal);

        await using var http = new HttpCommunicator(new GreetConsumer(new Greeter()), path: "/greet/ada", options: invalid);
        refused = await Assert.ThrowsAsync<ArgumentException>(() => http.GetResponseAsync());
        Assert.Contains(nameof(ConsumerOptions.DrainTimeout), refused.Message, StringComparison.Ordinal);
    }
}

/// <summary>What the server does when it cannot finish a handshake the consumer accepted.</summary>
public sealed class AbandonedHandshakeTests
{
    [Fact]
    public async Task An_abandoned_accepted_connection_stops_its_consumer_which_leaves_its_groups()
    {
        await using var layer = new InMemoryChannelLayer();
        var channel = await layer.NewChannelAsync("ws", TestContext.Current.CancellationToken);
        var scope = new WebSocketScope(channel) { RouteValues = new Dictionary<string, string> { ["room"] = "gone" } };
        var connection = new WebSocketConnection(new RoomConsumer(new Greeter()), scope, layer);

        Assert.True((await connection.ConnectAsync(TestContext.Current.CancellationToken)).IsAccepted);
        Assert.Equal(1, (await layer.GroupSendAsync("room.gone", ChannelMessage.Create(new Said("gone", "before")), TestContext.Current.CancellationToken)).Delivered);

        await connection.AbandonAsync().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(ConsumerStopReason.Requested, await connection.Completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(0, (await layer.GroupSendAsync("room.gone", ChannelMessage.Create(new Said("gone", "after")), TestContext.Current.CancellationToken)).Delivered);
    }
}
