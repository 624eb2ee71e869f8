using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Switchyard.LoadBench;

/// <summary>
/// Times a cheap request, <c>GET /stats?gc=false</c>, on a fixed schedule (every <c>interval</c>) over one keep-alive
/// connection, from a thread of its own with blocking sockets: the client's thread pool, busy with thousands of
/// WebSocket closes, does not delay it. A request that waits for the previous one is timed from when it was due (as
/// wrk2 does), so a server stall counts for every request it held up, not just one.
/// </summary>
internal sealed class StatsPinger : IDisposable
{
    private readonly Uri _uri;
    private readonly long _interval;
    private readonly Thread _thread;
    private readonly Lock _lock = new();
    private readonly List<(long Due, double Milliseconds)> _samples = [];
    private readonly List<long> _errors = [];
    private volatile bool _stop;

    private StatsPinger(Uri statsUri, TimeSpan interval)
    {
        _uri = statsUri;
        _interval = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Run) { IsBackground = true, Name = "stats pinger" };
    }

    public static StatsPinger Start(Uri statsUri, TimeSpan interval)
    {
        var pinger = new StatsPinger(statsUri, interval);
        pinger._thread.Start();
        return pinger;
    }

    /// <summary>The latencies (ms) of the requests due between two <see cref="Stopwatch"/> timestamps, and how many failed.</summary>
    public (double[] Milliseconds, int Errors) Between(long from, long to)
    {
        lock (_lock)
        {
            return (_samples.Where(s => s.Due >= from && s.Due < to).Select(s => s.Milliseconds).ToArray(),
                    _errors.Count(e => e >= from && e < to));
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(15));
    }

    private void Run()
    {
        var request = Encoding.ASCII.GetBytes($"GET {_uri.PathAndQuery}?gc=false HTTP/1.1\r\nHost: {_uri.Authority}\r\n\r\n");
        var buffer = new byte[16 * 1024];
        Socket? socket = null;
        var due = Stopwatch.GetTimestamp();
        while (!_stop)
        {
            var now = Stopwatch.GetTimestamp();
            if (now < due)
            {
                Thread.Sleep(TimeSpan.FromSeconds((due - now) / (double)Stopwatch.Frequency));
                continue;
            }

            try
            {
                socket ??= Connect();
                socket.Send(request);
                ReadResponse(socket, buffer);
                var done = Stopwatch.GetTimestamp();
                lock (_lock)
                {
                    _samples.Add((due, (done - due) * 1000.0 / Stopwatch.Frequency));
                }
            }
            catch (Exception e) when (e is SocketException or IOException or FormatException)
            {
                lock (_lock)
                {
                    _errors.Add(due);
                }

                socket?.Dispose();
                socket = null;
            }

            due += _interval;
        }

        socket?.Dispose();
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = 30_000,
            SendTimeout = 30_000,
        };
        try
        {
            socket.Connect(_uri.Host, _uri.Port);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Reads one HTTP/1.1 response with a Content-Length body; fails on anything but 200.
    private static void ReadResponse(Socket socket, byte[] buffer)
    {
        var length = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            length += Receive(socket, buffer, length);
        }

        var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
        if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            throw new FormatException($"GET /stats answered: {head.Split('\r')[0]}");
        }

        var contentLength = 0;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = int.Parse(line.AsSpan("Content-Length:".Length).Trim(), CultureInfo.InvariantCulture);
            }
        }

        var total = headerEnd + 4 + contentLength;
        if (total > buffer.Length)
        {
            throw new FormatException($"GET /stats answered {total} bytes");
        }

        while (length < total)
        {
            length += Receive(socket, buffer, length);
        }
    }

    private static int Receive(Socket socket, byte[] buffer, int offset)
    {
        var read = socket.Receive(buffer, offset, buffer.Length - offset, SocketFlags.None);
        return read > 0 ? read : throw new IOException("the server closed the connection");
    }
}
