using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Switchyard.Package.Tests;

/// <summary>
/// A web app started with <c>dotnet run</c>, as its user starts it (without a terminal): it is ready when it logs the
/// address it listens on; it is stopped with SIGTERM, as systemd, Docker and Kubernetes stop a service.
/// </summary>
internal sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process) => _process = process;

    /// <summary>Gets everything the app (and <c>dotnet run</c>) wrote so far, for a failure message.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Runs <c>dotnet run</c> with <paramref name="arguments"/> in <paramref name="directory"/> until the app listens.</summary>
    /// <param name="directory">Where to run it.</param>
    /// <param name="arguments">What follows <c>dotnet run</c>.</param>
    /// <param name="environment">Variables to set for it, such as ASPNETCORE_URLS.</param>
    /// <param name="timeout">How long it may take to listen.</param>
    /// <returns>The running app.</returns>
    /// <exception cref="InvalidOperationException">It exited before it listened.</exception>
    /// <exception cref="TimeoutException">It did not listen in time.</exception>
    public static async Task<AppProcess> StartAsync(string directory, string[] arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var process = new Process { StartInfo = Dotnet.StartInfo(directory, ["run", .. arguments], environment), EnableRaisingEvents = true };
        var app = new AppProcess(process);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            app.Keep(e.Data);
            if (e.Data?.Contains("Now listening on:", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => app.Keep(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"dotnet run exited ({process.ExitCode}) before the app listened:\n{app.Output}"));
        process.Start();
        process.StandardInput.Close(); // no terminal
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await app.DisposeAsync();
            throw new TimeoutException($"The app did not listen within {timeout.TotalSeconds} s:\n{app.Output}");
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>Sends SIGTERM to <c>dotnet run</c> (which passes it on to the app) and waits for it to exit.</summary>
    /// <param name="within">How long it may take.</param>
    /// <returns>The exit code.</returns>
    /// <exception cref="TimeoutException">It did not exit in time.</exception>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
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
            throw new TimeoutException($"The app did not exit within {within.TotalSeconds} s of SIGTERM:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the app and <c>dotnet run</c> if they are still running, and waits for them to be gone.</summary>
    /// <returns>A task that completes when they are gone.</returns>
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
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
