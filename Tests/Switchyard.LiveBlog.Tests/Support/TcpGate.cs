using System.Net;
using System.Net.Sockets;

namespace Switchyard.LiveBlog.Tests.Support;

/// <summary>
/// A TCP forwarder in front of a server, for a browser whose connections the test cuts: <see cref="CloseAndHold"/>
/// drops every connection it carries (the browser sees its WebSocket drop, 1006) and holds new ones unanswered until
/// <see cref="Release"/>, which passes them on. The server keeps running throughout.
/// </summary>
internal sealed class TcpGate : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private TaskCompletionSource _gate = Opened();

    public TcpGate(int target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the port the browser connects to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Drops every connection it carries, and holds new ones until <see cref="Release"/>.</summary>
    public void CloseAndHold()
    {
        lock (_lock)
        {
            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (var client in _open)
            {
                client.Client.Close(0); // a reset, as a network failure would
                client.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>Passes the held connections, and new ones, on to the server.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _gate.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Release();
        lock (_lock)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }

        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var server = new TcpClient();
        try
        {
            Task gate;
            lock (_lock)
            {
                gate = _gate.Task;
            }

            await gate.WaitAsync(_stop.Token);
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            lock (_lock)
            {
                if (!_gate.Task.IsCompleted)
                {
                    return; // held again meanwhile: cut like the others
                }

                _open.Add(client);
                _open.Add(server);
            }

            var up = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Cut by the test, or closed by either side: both sides are closed below.
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(client);
                _open.Remove(server);
            }

            client.Dispose();
        }
    }
}
