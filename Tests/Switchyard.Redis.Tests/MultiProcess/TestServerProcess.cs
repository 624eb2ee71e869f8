using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>
/// The test server (Tests/Switchyard.Redis.TestServer) running as its own process on a free port, on the Redis layer:
/// a request names its user in the <c>X-Test-User</c> header, and <c>/ws/echo/</c> greets each connection with its
/// user and process, then passes on every <c>testserver.note</c> it is sent.
/// </summary>
internal sealed class TestServerProcess : IAsyncDisposable
{
    /// <summary>How long a test waits for a frame before it fails.</summary>
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    private readonly ChildProcess _process;

    private TestServerProcess(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    /// <summary>Gets what the process wrote last, for a failure message.</summary>
    public string Output => _process.Output;

    public static async Task<TestServerProcess> StartAsync(string redis, string prefix)
    {
        var port = ChildProcess.FreePort();
        string[] arguments = [BuildOutput.Find("Tests/Switchyard.Redis.TestServer", "Switchyard.Redis.TestServer.dll"), "--urls", $"http://127.0.0.1:{port}", "--redis", redis, "--prefix", prefix];
        return new TestServerProcess(await ChildProcess.StartAsync("dotnet", arguments, "Test server is running on", TimeSpan.FromSeconds(30)), port);
    }

    /// <summary>Opens <c>/ws/echo/</c> as <paramref name="user"/> and reads its welcome, which must name the user and this process.</summary>
    public async Task<ClientWebSocket> ConnectAsync(string user, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Test-User", user);
        try
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/ws/echo/"), ct);
            using var welcome = JsonDocument.Parse(await ReceiveTextAsync(socket, ct));
            Assert.Equal("testserver.welcome", welcome.RootElement.GetProperty("type").GetString());
            Assert.Equal(user, welcome.RootElement.GetProperty("user").GetString());
            Assert.Equal(ProcessId, welcome.RootElement.GetProperty("process").GetInt32());
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens <c>/ws/room/{room}/</c> (a presence group) as <paramref name="user"/>.</summary>
    public async Task<ClientWebSocket> JoinRoomAsync(string room, string user, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Test-User", user);
        try
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/ws/room/{room}/"), ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens <c>/ws/feed/{name}/</c> (a group with a history), from <paramref name="since"/> when given.</summary>
    public async Task<ClientWebSocket> OpenFeedAsync(string name, string? since, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        try
        {
            var query = since is null ? string.Empty : "?since=" + Uri.EscapeDataString(since);
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/ws/feed/{name}/{query}"), ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Stops the process with SIGTERM and returns its exit code.</summary>
    public Task<int> TerminateAsync() => _process.TerminateAsync(TimeSpan.FromSeconds(30));

    /// <summary>Kills the process with SIGKILL: no consumer leaves its groups, nothing is flushed.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Receives one whole text frame within <see cref="ReceiveTimeout"/>.</summary>
    public static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReceiveTimeout);
        var buffer = new byte[16 * 1024];
        var count = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(count), timeout.Token);
                Assert.Equal(WebSocketMessageType.Text, result.MessageType);
                count += result.Count;
                if (result.EndOfMessage)
                {
                    return Encoding.UTF8.GetString(buffer, 0, count);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No text frame arrived within {ReceiveTimeout.TotalSeconds} s.");
        }
    }

    /// <summary>Receives the server's close frame within <see cref="ReceiveTimeout"/> (no data frame before it) and answers it.</summary>
    /// <returns>The close status and description.</returns>
    public static async Task<(WebSocketCloseStatus? Status, string? Description)> ReceiveCloseAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReceiveTimeout);
        ValueWebSocketReceiveResult result;
        try
        {
            result = await socket.ReceiveAsync(new byte[1024].AsMemory(), timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The server did not close the connection within {ReceiveTimeout.TotalSeconds} s.");
        }

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        return (socket.CloseStatus, socket.CloseStatusDescription);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
