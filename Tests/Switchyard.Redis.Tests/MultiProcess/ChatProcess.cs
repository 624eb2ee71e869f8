using Switchyard.Redis.Tests.Support;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>The chat sample running as its own process on a free port, on the Redis layer.</summary>
internal sealed class ChatProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ChatProcess(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Gets the last lines the process wrote, for a failure message.</summary>
    public string Output => _process.Output;

    public static async Task<ChatProcess> StartAsync(string redis, bool workers = true)
    {
        var port = ChildProcess.FreePort();
        string[] arguments = [BuildOutput.Find("Samples/Chat", "Chat.dll"), "--urls", $"http://127.0.0.1:{port}", "--redis", redis, "--no-worker", workers ? "false" : "true"];
        return new ChatProcess(await ChildProcess.StartAsync("dotnet", arguments, "Chat is running on", TimeSpan.FromSeconds(30)), port);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
