using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Switchyard.Ipc.Tests.Support;

/// <summary>
/// Tests/Switchyard.Ipc.TestProcess started as a process of a test's namespace; the test kills it with SIGKILL, stops
/// and continues it (SIGSTOP, SIGCONT), or terminates it (SIGTERM), and waits on the lines it prints.
/// </summary>
internal sealed class IpcChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<IReadOnlyCollection<string>, bool> Condition, TaskCompletionSource Seen)> _awaited = [];

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
            await child.WaitForLineAsync(line => line == "ready", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync();
            throw;
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

    /// <summary>Gets the process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Gets the lines it printed.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Gets the channels it printed on its "channels a b c" line.</summary>
    public string[] Channels => _lines.Single(l => l.StartsWith("channels ", StringComparison.Ordinal))["channels ".Length..].Split(' ');

    /// <summary>Waits until it has printed a line <paramref name="match"/> accepts (printed before the call counts).</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="within"/>; the message holds what it printed.</exception>
    public Task WaitForLineAsync(Func<string, bool> match, TimeSpan within) => WaitUntilAsync(lines => lines.Any(match), within);

    /// <summary>Waits until what it has printed satisfies <paramref name="condition"/> (looked at after each line).</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="within"/>; the message holds what it printed.</exception>
    public async Task WaitUntilAsync(Func<IReadOnlyCollection<string>, bool> condition, TimeSpan within)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_awaited)
        {
            if (condition(_lines))
            {
                return;
            }

            _awaited.Add((condition, seen));
        }

        try
        {
            await seen.Task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The test process did not print what was awaited within {within.TotalSeconds} s; it printed:\n{string.Join('\n', _lines)}");
        }
    }

    /// <summary>
    /// Stops it with SIGSTOP at a moment it holds no transaction on the segment of <paramref name="view"/> (else the
    /// other processes would wait for it), and returns once the kernel shows it stopped.
    /// </summary>
    public async Task StopOutsideTransactionsAsync(SegmentView view, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await SignalAsync("STOP");
            await WaitForStateAsync('T', within - deadline.Elapsed);

            // Stopped: it cannot take the lock from now on. Free now means it stopped outside a transaction.
            if (view.LockIsFree())
            {
                return;
            }

            if (deadline.Elapsed > within)
            {
                throw new TimeoutException($"The test process was inside a transaction each time it was stopped within {within.TotalSeconds} s.");
            }

            await SignalAsync("CONT");
        }
    }

    /// <summary>Continues it after <see cref="StopOutsideTransactionsAsync"/>.</summary>
    public Task ContinueAsync() => SignalAsync("CONT");

    /// <summary>Sends SIGTERM and returns its exit code once it has exited.</summary>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="within"/>.</exception>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        await SignalAsync("TERM");
        return await WaitForExitAsync(within);
    }

    /// <summary>Waits for it to exit by itself and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="within"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(within);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The test process did not exit within {within.TotalSeconds} s; it printed:\n{string.Join('\n', _lines)}");
        }

        return _process.ExitCode;
    }

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

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed (exit {kill.ExitCode}).");
        }
    }

    // The state letter in /proc/{pid}/task/{tid}/stat (after the command name in parentheses) of every thread: 'T' once a
    // SIGSTOP has taken effect on all of them (each stops when it next runs, or when the call it is in returns).
    private async Task WaitForStateAsync(char state, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var states = new List<string>();
            foreach (var task in Directory.GetDirectories($"/proc/{_process.Id}/task"))
            {
                try
                {
                    var stat = await File.ReadAllTextAsync(Path.Combine(task, "stat"));
                    states.Add(stat[(stat.LastIndexOf(')') + 2)..(stat.LastIndexOf(')') + 3)]);
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    // A thread that ended meanwhile.
                }
            }

            if (states.All(s => s[0] == state))
            {
                return;
            }

            if (waited.Elapsed > within)
            {
                throw new TimeoutException($"The test process's threads did not all reach state {state} within {within.TotalSeconds} s (states: {string.Concat(states)}).");
            }

            // The signal is on its way to the threads not stopped yet: look again shortly.
            await Task.Yield();
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_awaited)
        {
            _lines.Enqueue(line);
            foreach (var (condition, seen) in _awaited)
            {
                if (condition(_lines))
                {
                    seen.TrySetResult();
                }
            }

            _awaited.RemoveAll(a => a.Seen.Task.IsCompleted);
        }
    }
}
