using Microsoft.Extensions.DependencyInjection;
using Switchyard.Testing;

namespace SwitchyardApp.Tests;

/// <summary>The chat consumer driven in process by the test communicators: connect, send, receive, as a browser would.</summary>
public sealed class ChatConsumerTests : IAsyncDisposable
{
    // The app's Switchyard services, as Program.cs adds them: the in-memory channel layer carries the rooms' groups.
    private readonly ServiceProvider _services = new ServiceCollection().AddSwitchyard().Services.BuildServiceProvider();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task A_line_said_in_a_room_reaches_everyone_in_that_room_and_nobody_else()
    {
        await using var alice = await JoinAsync("lobby");
        await using var bob = await JoinAsync("lobby");
        await using var carol = await JoinAsync("kitchen");

        await alice.SendJsonAsync(new Say("hello"));

        var heard = await bob.ReceiveJsonAsync<ChatMessage>();
        Assert.Equal(("lobby", "guest", "hello"), (heard.Room, heard.User, heard.Text));
        Assert.Equal(heard, await alice.ReceiveJsonAsync<ChatMessage>());
        Assert.True(await carol.ReceiveNothingAsync());
    }

    private async Task<WebSocketCommunicator> JoinAsync(string room)
    {
        var communicator = WebSocketCommunicator.ForPath(_services, $"/ws/chat/{room}/");
        Assert.True((await communicator.ConnectAsync()).IsAccepted);
        return communicator;
    }
}
