using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Switchyard.LoadBench;

/// <summary>
/// ASP.NET Core SignalR over WebSocket, speaking the JSON hub protocol directly (no SignalR client package):
/// the handshake <c>{"protocol":"json","version":1}\u001e</c>, invocations
/// <c>{"type":1,"target":"Echo","arguments":["..."]}\u001e</c>, several records per frame split on <c>\u001e</c>,
/// pings (type 6) ignored on receipt and sent while the connection is otherwise silent, as SignalR clients must
/// (the server drops a client it has not heard from for 30 s).
/// </summary>
/// <remarks>
/// The relay (<see cref="Role.Member"/>): after the handshake a blocking <c>Join(group)</c> invocation, then every
/// message sent is <c>Relay(group, message)</c>; the server sends each to the group as a <c>relay</c> invocation.
/// </remarks>
internal sealed class SignalRConnection(string group) : BenchConnection
{
    private const byte RecordSeparator = 0x1e;

    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> carry = new();
    private byte[] sendBuffer = ArrayPool<byte>.Shared.Rent(1024);
    private ReadOnlyMemory<byte> invokePrefix;
    private long lastSendTimestamp;
    private bool handshakeDone;
    private string? handshakeError;
    private bool subscribed;

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            var length = WriteInvocation(message.Span);
            await SendFrameAsync(sendBuffer.AsMemory(0, length), ct);
            lastSendTimestamp = Stopwatch.GetTimestamp();
        }
        finally
        {
            sendLock.Release();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        KeepAlive.Remove(this);
        await base.DisposeAsync();
        var buffer = Interlocked.Exchange(ref sendBuffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        sendLock.Dispose();
    }

    protected override string PathFor(Role role) => "hub";

    protected override async Task OnConnectedAsync(Role role, CancellationToken ct)
    {
        invokePrefix = role switch
        {
            Role.Publisher => "{\"type\":1,\"target\":\"Publish\",\"arguments\":[\""u8.ToArray(),
            Role.Member => Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"Relay\",\"arguments\":[\"{group}\",\""),
            _ => "{\"type\":1,\"target\":\"Echo\",\"arguments\":[\""u8.ToArray(),
        };

        await SendRawAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), ct);
        while (!handshakeDone)
        {
            if (!await ReceiveAsync(NullSink.Instance, ct))
            {
                throw new InvalidOperationException("SignalR: the server closed during the handshake.");
            }
        }

        if (handshakeError is not null)
        {
            throw new InvalidOperationException($"SignalR handshake failed: {handshakeError}");
        }

        if (role is Role.Subscriber or Role.Member)
        {
            // A blocking invocation, so the group membership is in place when this returns.
            await SendRawAsync(role == Role.Member
                ? Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"s\",\"target\":\"Join\",\"arguments\":[\"{group}\"]}}\u001e")
                : "{\"type\":1,\"invocationId\":\"s\",\"target\":\"Subscribe\",\"arguments\":[]}\u001e"u8.ToArray(), ct);
            while (!subscribed)
            {
                if (!await ReceiveAsync(NullSink.Instance, ct))
                {
                    throw new InvalidOperationException("SignalR: the server closed during Subscribe/Join.");
                }
            }
        }

        lastSendTimestamp = Stopwatch.GetTimestamp();
        KeepAlive.Add(this);
    }

    protected override bool Dispatch(ReadOnlySpan<byte> frame, long receivedTimestamp, IMessageSink sink)
    {
        if (carry.WrittenCount > 0)
        {
            // A record split over WebSocket messages (not seen in practice): join it with what follows.
            carry.Write(frame);
            var joined = carry.WrittenSpan.ToArray();
            carry.Clear();
            return DispatchRecords(joined, receivedTimestamp, sink);
        }

        return DispatchRecords(frame, receivedTimestamp, sink);
    }

    private bool DispatchRecords(ReadOnlySpan<byte> data, long receivedTimestamp, IMessageSink sink)
    {
        var open = true;
        while (true)
        {
            var end = data.IndexOf(RecordSeparator);
            if (end < 0)
            {
                if (!data.IsEmpty)
                {
                    carry.Write(data);
                }

                return open;
            }

            var record = data[..end];
            data = data[(end + 1)..];
            if (!handshakeDone)
            {
                handshakeDone = true;
                if (record.IndexOf("\"error\""u8) >= 0)
                {
                    handshakeError = Encoding.UTF8.GetString(record);
                }

                continue;
            }

            switch (ReadType(record))
            {
                case 1: // invocation: "echo", "tick" or "relay" carrying the benchmark message
                    sink.OnMessage(record, receivedTimestamp);
                    break;
                case 3: // completion of Subscribe
                    subscribed = true;
                    break;
                case 7: // close
                    open = false;
                    break;
                default: // 6 = ping, anything else ignored
                    break;
            }
        }
    }

    private static int ReadType(ReadOnlySpan<byte> record)
    {
        // Matches only the top-level "type": the one inside the escaped argument reads \"type\":.
        var at = record.IndexOf("\"type\":"u8);
        if (at < 0)
        {
            return -1;
        }

        return Utf8Parser.TryParse(record[(at + 7)..], out int type, out _) ? type : -1;
    }

    /// <summary>Writes <c>{"type":1,"target":...,"arguments":["escaped message"]}\u001e</c> into the send buffer.</summary>
    private int WriteInvocation(ReadOnlySpan<byte> message)
    {
        var needed = invokePrefix.Length + (message.Length * 2) + 4;
        if (sendBuffer.Length < needed)
        {
            ArrayPool<byte>.Shared.Return(sendBuffer);
            sendBuffer = ArrayPool<byte>.Shared.Rent(needed);
        }

        var destination = sendBuffer.AsSpan();
        invokePrefix.Span.CopyTo(destination);
        var n = invokePrefix.Length;
        foreach (var b in message)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                destination[n++] = (byte)'\\';
            }

            destination[n++] = b;
        }

        "\"]}"u8.CopyTo(destination[n..]);
        n += 3;
        destination[n++] = RecordSeparator;
        return n;
    }

    private async Task SendRawAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            await SendFrameAsync(frame, ct);
            lastSendTimestamp = Stopwatch.GetTimestamp();
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task PingIfSilentAsync()
    {
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref lastSendTimestamp)) < PingInterval ||
            State != System.Net.WebSockets.WebSocketState.Open)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await SendRawAsync(Ping, timeout.Token);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static readonly ReadOnlyMemory<byte> Ping = "{\"type\":6}\u001e"u8.ToArray();

    private sealed class NullSink : IMessageSink
    {
        public static readonly NullSink Instance = new();

        public void OnMessage(ReadOnlySpan<byte> message, long receivedTimestamp)
        {
        }
    }

    /// <summary>One loop for all SignalR connections of the process: pings those that have been silent for 10 s.</summary>
    private static class KeepAlive
    {
        private static readonly ConcurrentDictionary<SignalRConnection, byte> Connections = new();
        private static int started;

        public static void Add(SignalRConnection connection)
        {
            Connections.TryAdd(connection, 0);
            if (Interlocked.Exchange(ref started, 1) == 0)
            {
                _ = Task.Run(LoopAsync);
            }
        }

        public static void Remove(SignalRConnection connection) => Connections.TryRemove(connection, out _);

        private static async Task LoopAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
            while (await timer.WaitForNextTickAsync())
            {
                foreach (var connection in Connections.Keys)
                {
                    _ = connection.PingIfSilentAsync();
                }
            }
        }
    }
}
