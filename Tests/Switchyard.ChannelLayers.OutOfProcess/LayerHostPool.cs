using Switchyard.ChannelLayers.OutOfProcess.Internal;

namespace Switchyard.ChannelLayers.OutOfProcess;

/// <summary>
/// Starts layer hosts ahead: a host's start-up (the runtime, the JIT) is most of its cost, so each command keeps a few
/// started hosts waiting, and taking one starts its replacement. Use one pool per test class (it is an xunit class
/// fixture) and dispose it: waiting hosts then read the end of their input and exit 0. Hosts also exit when the test
/// process dies, since their input ends with it.
/// </summary>
public sealed class LayerHostPool : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<HostProcess>> _idle = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _starting = new(StringComparer.Ordinal);
    private readonly int _idlePerCommand = 2;
    private bool _disposed;

    /// <summary>
    /// Gets how many started hosts the pool keeps waiting per command: 2 by default; 0 starts each host when it is taken.
    /// </summary>
    public int IdlePerCommand
    {
        get => _idlePerCommand;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _idlePerCommand = value;
        }
    }

    /// <summary>Stops the waiting hosts: their input ends, and they exit.</summary>
    /// <returns>A task that completes when they have exited (or were killed after 10 seconds).</returns>
    public async ValueTask DisposeAsync()
    {
        List<HostProcess> idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle.Values.SelectMany(queue => queue)];
            _idle.Clear();
        }

        await Task.WhenAll(idle.Select(StopAsync)).ConfigureAwait(false);

        static async Task StopAsync(HostProcess host)
        {
            try
            {
                host.Input.Close();
            }
            catch (IOException)
            {
                // It has exited already.
            }

            await host.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            host.Dispose();
        }
    }

    /// <summary>Takes a started host for <paramref name="command"/> (starting one when none waits) and starts its replacement.</summary>
    internal HostProcess Take(LayerHostCommand command)
    {
        HostProcess? host = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryGetValue(command.Key, out var queue))
            {
                while (host is null && queue.TryDequeue(out var waiting))
                {
                    if (waiting.HasExited)
                    {
                        // Died while waiting (a bad install, a bad command line): start a fresh one, whose failure is reported.
                        waiting.Dispose();
                        continue;
                    }

                    host = waiting;
                }
            }
        }

        host ??= HostProcess.Start(command);
        if (_idlePerCommand > 0)
        {
            _ = Task.Run(() => Refill(command));
        }

        return host;
    }

    private void Refill(LayerHostCommand command)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                if (!_idle.TryGetValue(command.Key, out var queue))
                {
                    _idle[command.Key] = queue = new Queue<HostProcess>();
                }

                var starting = _starting.GetValueOrDefault(command.Key);
                if (queue.Count + starting >= _idlePerCommand)
                {
                    return;
                }

                _starting[command.Key] = starting + 1;
            }

            HostProcess? started = null;
            try
            {
                started = HostProcess.Start(command);
            }
            catch (Exception ex) when (ex is LayerHostException or System.ComponentModel.Win32Exception)
            {
                // The next Take starts its own host and reports the failure to its caller.
            }

            lock (_lock)
            {
                _starting[command.Key]--;
                if (started is null)
                {
                    return;
                }

                if (!_disposed)
                {
                    _idle[command.Key].Enqueue(started);
                    continue;
                }
            }

            started.Dispose();
            return;
        }
    }
}
