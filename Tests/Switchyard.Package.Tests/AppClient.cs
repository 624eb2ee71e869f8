using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>What the tests do with an app: run it as a user does, talk to it in WebSocket frames of JSON, read the build's verdict.</summary>
internal static partial class AppClient
{
    /// <summary>How long a connect or a frame may take; it only bounds a hang.</summary>
    public static readonly TimeSpan ReceiveWithin = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs <c>dotnet run</c> with <paramref name="arguments"/> in <paramref name="directory"/>, without a terminal, until the app listens.</summary>
    public static Task<ChildProcess> RunAsync(string directory, string[] arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout) =>
        ChildProcess.StartAsync(Dotnet.StartInfo(directory, ["run", .. arguments], environment), "Now listening on:", timeout);

    public static async Task<ClientWebSocket> ConnectAsync(int port, string path)
    {
        var socket = new ClientWebSocket();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(ReceiveWithin);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{path}"), timeout.Token);
        return socket;
    }

    public static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, Ct);

    /// <summary>The next text frame as JSON; on a timeout or a close, fails with what the app wrote.</summary>
    public static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket, ChildProcess app)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(ReceiveWithin);
        var buffer = new byte[16 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                Assert.True(result.MessageType == WebSocketMessageType.Text, $"Got a {result.MessageType} frame ({socket.CloseStatus} {socket.CloseStatusDescription}):\n{app.Output}");
                length += result.Count;
                if (result.EndOfMessage)
                {
                    using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
                    return frame.RootElement.Clone();
                }
            }
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No frame within {ReceiveWithin.TotalSeconds} s; the app wrote:\n{app.Output}");
        }
    }

    /// <summary>Whether a <c>dotnet build</c>'s output reports no warning at all.</summary>
    public static bool BuiltWithoutWarnings(string output) =>
        ZeroWarnings().IsMatch(output) && !output.Contains(": warning ", StringComparison.Ordinal);

    // MSBuild's summary: "    0 Warning(s)".
    [GeneratedRegex(@"^\s*0 Warning\(s\)", RegexOptions.Multiline)]
    private static partial Regex ZeroWarnings();
}
