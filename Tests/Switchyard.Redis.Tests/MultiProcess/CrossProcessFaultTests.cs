using System.Net.WebSockets;
using System.Text;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>Two chat server processes on one Redis that is killed and restarted under them.</summary>
public sealed class CrossProcessFaultTests : IAsyncLifetime
{
    private RedisServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Server_processes_outlive_a_Redis_restart_and_their_room_works_again_on_the_same_connections()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var first = await ChatProcess.StartAsync(_server.ConnectionString);
        await using var second = await ChatProcess.StartAsync(_server.ConnectionString);
        using var ada = await CrossProcessTests.ConnectAsync(first.Port, "ada", ct);
        using var bob = await CrossProcessTests.ConnectAsync(second.Port, "bob", ct);
        await CrossProcessTests.ReceiveUntilAsync(bob, "\"info\":\"bob\"", ct);

        // Redis restarts empty (no persistence): the group memberships are gone with it, and each process's consumers
        // join their groups again when their layer reconnects.
        await _server.KillAsync();
        await _server.RestartAsync();

        // Ada says lines until one reaches Bob (bounded): the processes need a moment to reconnect and rejoin, and a line
        // said before Bob's consumer has rejoined the room is, rightly, not his.
        var within = TimeSpan.FromSeconds(30);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(within);
        var heard = CrossProcessTests.ReceiveUntilAsync(bob, "after the restart", deadline.Token, within);
        try
        {
            for (var attempt = 0; !heard.IsCompleted; attempt++)
            {
                await ada.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"chat.say","text":"after the restart {{attempt}}"}"""), WebSocketMessageType.Text, true, deadline.Token);
                await Task.WhenAny(heard, Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token));
            }

            Assert.Contains("\"user\":\"ada\"", await heard, StringComparison.Ordinal);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"""
                No line from Ada reached Bob within {within.TotalSeconds} s of the restart.
                Ada's server said:
                {first.Output}
                Bob's server said:
                {second.Output}
                """);
        }

        Assert.Equal(WebSocketState.Open, ada.State);
        Assert.False(first.HasExited);
        Assert.False(second.HasExited);
    }
}
