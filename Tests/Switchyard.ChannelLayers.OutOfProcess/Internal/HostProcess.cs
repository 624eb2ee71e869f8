using System.Collections.Concurrent;
using System.Diagnostics;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>One started layer host: its process, the pipes of the protocol, and the last lines of its standard error.</summary>
internal sealed class HostProcess : IDisposable
{
    private const int TailLines = 40;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errorTail = new();

    private HostProcess(Process process, LayerHostCommand command)
    {
        _process = process;
        Command = command;
    }

    public LayerHostCommand Command { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Gets the host's standard input: what the parent writes.</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>Gets the host's standard output: what the parent reads.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>Gets the last lines the host wrote to standard error.</summary>
    public string ErrorTail => _errorTail.IsEmpty ? "(nothing)" : string.Join('\n', _errorTail);

    public static HostProcess Start(LayerHostCommand command)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(command.HostPath);
        start.ArgumentList.Add(command.Kind);
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Start-up is most of a host's cost: skip the runtime's instrumented first tier (dynamic PGO) in these short-lived processes.
        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start) ?? throw new LayerHostException($"{command} did not start.");
        var host = new HostProcess(process, command);
        process.ErrorDataReceived += (_, e) => host.KeepError(e.Data);
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits for the process to exit and its standard error to be read to the end.</summary>
    /// <returns><see langword="true"/> when it exited within <paramref name="timeout"/>.</returns>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Kills the host if it still runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void KeepError(string? line)
    {
        if (line is null)
        {
            return;
        }

        _errorTail.Enqueue(line);
        while (_errorTail.Count > TailLines && _errorTail.TryDequeue(out _))
        {
        }
    }
}
