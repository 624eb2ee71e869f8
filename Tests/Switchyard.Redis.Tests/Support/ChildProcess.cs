using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchyard.Redis.Tests.Support;

/// <summary>A process the tests start and wait for (a line on its output says it is ready), and kill at the end.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaited = [];

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <paramref name="fileName"/> and returns once it prints <paramref name="readyLine"/>; bounded by <paramref name="timeout"/>.</summary>
    /// <exception cref="InvalidOperationException">It exited while starting.</exception>
    /// <exception cref="TimeoutException">It did not say it was ready in time.</exception>
    public static Task<ChildProcess> StartAsync(string fileName, IEnumerable<string> arguments, string readyLine, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return StartAsync(start, readyLine, timeout);
    }

    /// <summary>
    /// Starts the process <paramref name="start"/> describes (its output must be redirected; a redirected standard input is
    /// closed at once: no terminal) and returns once it prints <paramref name="readyLine"/>; bounded by <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">It exited while starting.</exception>
    /// <exception cref="TimeoutException">It did not say it was ready in time.</exception>
    public static async Task<ChildProcess> StartAsync(ProcessStartInfo start, string readyLine, TimeSpan timeout)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        if (start.RedirectStandardInput)
        {
            process.StandardInput.Close();
        }

        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            child.Keep(e.Data);
            if (e.Data?.Contains(readyLine, StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{Path.GetFileName(start.FileName)} exited while starting:\n{child.Output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync();
            throw new TimeoutException($"{Path.GetFileName(start.FileName)} did not print '{readyLine}' within {timeout.TotalSeconds} s:\n{child.Output}");
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    /// <summary>Gets the last lines the process wrote (standard output and error together), for a failure message.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Waits until the process writes a line containing <paramref name="text"/> (from now on).</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="within"/>.</exception>
    public async Task WaitForOutputAsync(string text, TimeSpan within)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_awaited)
        {
            _awaited.Add((text, seen));
        }

        try
        {
            await seen.Task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The process did not write \"{text}\" within {within.TotalSeconds} s; its output:\n{Output}");
        }
    }

    /// <summary>
    /// Sends SIGTERM (what systemd, Docker and Kubernetes send to stop a service) and waits for the process to exit.
    /// </summary>
    /// <returns>The exit code.</returns>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="within"/> (it is killed then).</exception>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -TERM {_process.Id} failed (exit {kill.ExitCode}).");
            }
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(within);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The process did not exit within {within.TotalSeconds} s of SIGTERM; its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL, as a crash would, and waits for it to be gone.</summary>
    /// <returns>A task that completes when it has exited.</returns>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Kills the process (no shutdown handshake) and waits for it to be gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_awaited)
        {
            foreach (var (text, seen) in _awaited)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    seen.TrySetResult();
                }
            }

            _awaited.RemoveAll(a => a.Seen.Task.IsCompleted);
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }
}
