using System.Net.Sockets;
using System.Text;

namespace Switchyard.Ipc.Doorbells;

/// <summary>
/// How a process learns that a channel it waits on got a message: a Unix datagram socket per process (its doorbell),
/// to which a sender writes the names of the channels it queued on, one per line. Ringing never blocks: a doorbell that
/// is gone (its process died) is skipped; one that is full (a Unix datagram socket queues few datagrams: 10 on many
/// Linux systems) makes <see cref="Ring"/> say so, and the sender records the lost ring in the segment, where the
/// process's next sweep finds it and looks at every channel it waits on. Every sweep also wakes each waiting receive of
/// the process to look again, so a lost ring delays a message, never loses it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class Doorbell : IAsyncDisposable
{
    /// <summary>A ring for every channel the process waits on (after a flush took every waiting mark).</summary>
    public const string Everything = "*";

    private const int MaxDatagram = 16 * 1024;

    private readonly Socket _listener;
    private readonly Socket _sender;
    private readonly Func<int, string> _pathOf;
    private readonly Action<IReadOnlyList<string>> _onChannels;
    private readonly UnixDomainSocketEndPoint?[] _endpoints;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Doorbell(string path, int slots, Func<int, string> pathOf, Action<IReadOnlyList<string>> onChannels)
    {
        _pathOf = pathOf;
        _onChannels = onChannels;
        _endpoints = new UnixDomainSocketEndPoint?[slots];

        // The slot is this process's now: a socket file left there belonged to a process that is gone.
        File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Path = path;
        _sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
        _loop = Task.Run(ListenAsync);
    }

    /// <summary>Gets the socket's path.</summary>
    public string Path { get; }

    /// <summary>Rings <paramref name="slot"/>'s doorbell for <paramref name="channels"/>; false when its queue was full and a ring was lost.</summary>
    public bool Ring(int slot, IEnumerable<string> channels)
    {
        var endpoint = _endpoints[slot] ??= new UnixDomainSocketEndPoint(_pathOf(slot));
        var datagram = new StringBuilder();
        var rung = true;
        foreach (var channel in channels)
        {
            if (datagram.Length + channel.Length + 1 > MaxDatagram)
            {
                rung &= Send(endpoint, datagram);
                datagram.Clear();
            }

            datagram.Append(channel).Append('\n');
        }

        if (datagram.Length > 0)
        {
            rung &= Send(endpoint, datagram);
        }

        return rung;
    }

    private bool Send(UnixDomainSocketEndPoint endpoint, StringBuilder datagram)
    {
        try
        {
            _sender.SendTo(Encoding.UTF8.GetBytes(datagram.ToString()), endpoint);
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
        {
            return false;
        }
        catch (SocketException)
        {
            // Gone (ENOENT, ECONNREFUSED): its process died, and the sweep removes what it left.
            return true;
        }
    }

    private async Task ListenAsync()
    {
        var buffer = new byte[MaxDatagram];
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _listener.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException && _stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // A datagram that could not be read: the receives it was for look again by themselves.
                continue;
            }

            var channels = new List<string>();
            var start = 0;
            for (var i = 0; i < received; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    if (i > start)
                    {
                        channels.Add(Encoding.UTF8.GetString(buffer, start, i - start));
                    }

                    start = i + 1;
                }
            }

            if (channels.Count > 0)
            {
                _onChannels(channels);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closed under its receive.
        }

        _sender.Dispose();
        _stop.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Left for the next process of this slot, which deletes it.
        }
    }
}
