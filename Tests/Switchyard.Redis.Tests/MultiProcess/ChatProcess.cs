using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchyard.Redis.Tests.MultiProcess;

/// <summary>The chat sample running as its own process on a free port, on the Redis layer.</summary>
internal sealed class ChatProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChatProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public static async Task<ChatProcess> StartAsync(string redis, bool workers = true)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { FindSample(), "--urls", $"http://127.0.0.1:{port}", "--redis", redis, "--no-worker", workers ? "false" : "true" })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("The chat sample did not start.");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Chat is running on", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The chat sample exited with {process.ExitCode} while starting."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new ChatProcess(process, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The sample's build output next to this repository's test output (same configuration and framework).
    private static string FindSample()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
        {
            directory = directory.Parent;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var sample = directory is null ? null : Path.Combine(directory.FullName, "Samples", "Chat", "bin", configuration, "net10.0", "Chat.dll");
        return sample is not null && File.Exists(sample)
            ? sample
            : throw new InvalidOperationException($"The chat sample is not built at {sample}; build the solution first.");
    }
}
