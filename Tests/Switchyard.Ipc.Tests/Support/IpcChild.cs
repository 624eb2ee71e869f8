using System.Collections.Concurrent;
using System.Diagnostics;

namespace Switchyard.Ipc.Tests.Support;

/// <summary>Tests/Switchyard.Ipc.TestProcess started as a process of a test's namespace, killed with SIGKILL by the test.</summary>
internal sealed class IpcChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private IpcChild(Process process) => _process = process;

    /// <summary>Starts the test process with <paramref name="arguments"/> and returns once it prints "ready".</summary>
    public static async Task<IpcChild> StartAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(FindTestProcess());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var child = new IpcChild(Process.Start(start)!);
        child._process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        try
        {
            await child._ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync();
            throw new TimeoutException($"The test process did not say it was ready:\n{string.Join('\n', child._lines)}");
        }

        return child;
    }

    // Its build output next to this repository's test output (same configuration and framework).
    private static string FindTestProcess()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
        {
            directory = directory.Parent;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var path = directory is null ? null : Path.Combine(directory.FullName, "Tests", "Switchyard.Ipc.TestProcess", "bin", configuration, "net10.0", "Switchyard.Ipc.TestProcess.dll");
        return path is not null && File.Exists(path)
            ? path
            : throw new InvalidOperationException($"The IPC test process is not built at {path}; build the solution first.");
    }

    /// <summary>Gets the lines it printed.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Kills it with SIGKILL (no chance to clean up) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        if (line == "ready")
        {
            _ready.TrySetResult();
        }
    }
}
