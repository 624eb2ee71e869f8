using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>
/// A WebSocket client over a bare <see cref="TcpClient"/>: does the HTTP/1.1 upgrade itself, then sends frames with any
/// opcode, flags, mask and payload (malformed ones included) and reads the server's frames one by one. Every wait is
/// bounded and follows the test's cancellation token.
/// </summary>
public sealed class RawWebSocketClient : IDisposable
{
    public const int Continuation = 0x0;
    public const int Text = 0x1;
    public const int Binary = 0x2;
    public const int Close = 0x8;
    public const int Ping = 0x9;
    public const int Pong = 0xA;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Gets the status line and headers of the server's handshake response.</summary>
    public string ResponseHead { get; private set; } = string.Empty;

    /// <summary>
    /// Opens a TCP connection to <paramref name="server"/>'s host and port and performs the opening handshake for
    /// <paramref name="pathAndQuery"/>; fails unless the server answers 101 with the right Sec-WebSocket-Accept.
    /// </summary>
    /// <param name="server">The server's base address (its host and port are used).</param>
    /// <param name="pathAndQuery">The request target, such as <c>/ws/echo/</c>.</param>
    /// <param name="receiveBufferSize">The socket's receive buffer (SO_RCVBUF), set before connecting; small values make a client that does not read fill up quickly.</param>
    /// <param name="extraHeaders">Request header lines to add, such as <c>Sec-WebSocket-Extensions: permessage-deflate</c>.</param>
    public static async Task<RawWebSocketClient> ConnectAsync(Uri server, string pathAndQuery, int? receiveBufferSize = null, params string[] extraHeaders)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        try
        {
            if (receiveBufferSize is { } size)
            {
                tcp.ReceiveBufferSize = size;
            }

            tcp.NoDelay = true;
            using (var cts = Timeout(null))
            {
                await tcp.ConnectAsync(server.Host, server.Port, cts.Token);
            }

            var client = new RawWebSocketClient(tcp);
            await client.HandshakeAsync(server, pathAndQuery, extraHeaders);
            return client;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends one frame. Client frames are masked unless <paramref name="masked"/> is false (a protocol error).</summary>
    /// <param name="opcode">Any 4-bit opcode.</param>
    /// <param name="payload">The payload, as is.</param>
    /// <param name="fin">The FIN bit.</param>
    /// <param name="reserved">RSV1–RSV3 as a 3-bit value.</param>
    /// <param name="masked">Whether to mask the payload (clients must).</param>
    public Task SendFrameAsync(int opcode, ReadOnlySpan<byte> payload, bool fin = true, int reserved = 0, bool masked = true) =>
        SendRawAsync(EncodeFrame(opcode, payload, fin, reserved, masked, RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue)));

    /// <summary>Sends a masked text frame.</summary>
    public Task SendTextAsync(string text) => SendFrameAsync(Text, Encoding.UTF8.GetBytes(text));

    /// <summary>Sends a masked close frame with <paramref name="code"/> (no reason).</summary>
    public Task SendCloseAsync(int code)
    {
        Span<byte> payload = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        return SendFrameAsync(Close, payload);
    }

    /// <summary>Writes bytes to the connection as they are.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var cts = Timeout(null);
        await _stream.WriteAsync(bytes, cts.Token);
    }

    /// <summary>Closes the sending half of the TCP connection (the server reads end of stream) but keeps reading.</summary>
    public void ShutdownSend() => _tcp.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Encodes one client frame with an explicit mask key.</summary>
    public static byte[] EncodeFrame(int opcode, ReadOnlySpan<byte> payload, bool fin, int reserved, bool masked, int maskKey)
    {
        var lengthBytes = payload.Length <= 125 ? 0 : payload.Length <= ushort.MaxValue ? 2 : 8;
        var frame = new byte[2 + lengthBytes + (masked ? 4 : 0) + payload.Length];
        frame[0] = (byte)((fin ? 0x80 : 0) | ((reserved & 0x7) << 4) | (opcode & 0xF));
        var offset = 2;
        switch (lengthBytes)
        {
            case 0:
                frame[1] = (byte)payload.Length;
                break;
            case 2:
                frame[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                offset = 4;
                break;
            default:
                frame[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                offset = 10;
                break;
        }

        if (!masked)
        {
            payload.CopyTo(frame.AsSpan(offset));
            return frame;
        }

        frame[1] |= 0x80;
        Span<byte> mask = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(mask, maskKey);
        mask.CopyTo(frame.AsSpan(offset));
        offset += 4;
        for (var i = 0; i < payload.Length; i++)
        {
            frame[offset + i] = (byte)(payload[i] ^ mask[i & 3]);
        }

        return frame;
    }

    /// <summary>Reads the next frame the server sent; <see langword="null"/> when the server closed the TCP connection.</summary>
    public async Task<RawFrame?> ReceiveFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = Timeout(timeout);
        try
        {
            if (!await FillAsync(2, cts.Token))
            {
                return null;
            }

            var b0 = _buffer[_start];
            var b1 = _buffer[_start + 1];
            var length7 = b1 & 0x7F;
            var masked = (b1 & 0x80) != 0;
            var header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            if (!await FillAsync(header, cts.Token))
            {
                return null;
            }

            long length = length7 switch
            {
                126 => BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2)),
                127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2)),
                _ => length7,
            };
            Assert.InRange(length, 0, 64L * 1024 * 1024);
            var mask = masked ? _buffer.AsSpan(_start + header - 4, 4).ToArray() : null;
            _start += header;
            var payload = new byte[length];
            var copied = 0;
            while (copied < length)
            {
                if (_start == _end && !await FillAsync(1, cts.Token))
                {
                    return null;
                }

                var chunk = (int)Math.Min(length - copied, _end - _start);
                _buffer.AsSpan(_start, chunk).CopyTo(payload.AsSpan(copied));
                _start += chunk;
                copied += chunk;
            }

            if (mask is not null)
            {
                for (var i = 0; i < payload.Length; i++)
                {
                    payload[i] ^= mask[i & 3];
                }
            }

            return new RawFrame((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0xF, masked, payload);
        }
        catch (IOException)
        {
            // Connection reset: the server dropped the connection.
            return null;
        }
    }

    /// <summary>
    /// Reads frames until the server's close frame and returns its code (1005 when it had none), skipping data frames
    /// and answering pings; <see langword="null"/> when the connection ended without a close frame.
    /// </summary>
    public async Task<int?> ReceiveCloseCodeAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var frame = await ReceiveFrameAsync(Remaining(deadline));
            switch (frame)
            {
                case null:
                    return null;
                case { Opcode: Close }:
                    return frame.Value.CloseCode;
                case { Opcode: Ping }:
                    await SendFrameAsync(Pong, frame.Value.Payload);
                    break;
            }
        }
    }

    /// <summary>Reads frames until a data frame, answering pings on the way; fails on a close frame or end of stream.</summary>
    public async Task<RawFrame> ReceiveDataFrameAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var frame = await ReceiveFrameAsync(Remaining(deadline));
            Assert.True(frame is not null, "The server closed the connection while a data frame was expected.");
            switch (frame.Value.Opcode)
            {
                case Ping:
                    await SendFrameAsync(Pong, frame.Value.Payload);
                    break;
                case Pong:
                    break;
                case Close:
                    Assert.Fail($"The server sent close {frame.Value.CloseCode} while a data frame was expected.");
                    break;
                default:
                    return frame.Value;
            }
        }
    }

    /// <summary>Reads and discards everything until the server closes the TCP connection; returns false on timeout.</summary>
    public async Task<bool> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var cts = Timeout(timeout);
        try
        {
            _start = _end = 0;
            while (await _stream.ReadAsync(_buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _tcp.Dispose();

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    private static CancellationTokenSource Timeout(TimeSpan? timeout)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? DefaultTimeout);
        return cts;
    }

    private async Task HandshakeAsync(Uri server, string pathAndQuery, string[] extraHeaders)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{string.Concat(extraHeaders.Select(h => h + "\r\n"))}\r\n";
        await SendRawAsync(Encoding.ASCII.GetBytes(request));

        using var cts = Timeout(null);
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, _end).IndexOf("\r\n\r\n"u8)) < 0)
        {
            Assert.True(_end < _buffer.Length, "The handshake response is too long.");
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
            Assert.True(read > 0, $"The server closed the connection during the handshake; got: {Encoding.ASCII.GetString(_buffer, 0, _end)}");
            _end += read;
        }

        ResponseHead = Encoding.ASCII.GetString(_buffer, 0, headEnd);
        _start = headEnd + 4;
        Assert.True(ResponseHead.StartsWith("HTTP/1.1 101", StringComparison.Ordinal), $"Expected 101 Switching Protocols, got:\n{ResponseHead}");
        var expectedAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        Assert.Contains($"Sec-WebSocket-Accept: {expectedAccept}", ResponseHead, StringComparison.OrdinalIgnoreCase);
    }

    // Makes at least `count` unread bytes available at _start; false when the stream ended first.
    private async Task<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        while (_end < count)
        {
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }
}

/// <summary>One frame as it came off the wire.</summary>
public readonly record struct RawFrame(bool Fin, int Reserved, int Opcode, bool Masked, byte[] Payload)
{
    /// <summary>Gets a close frame's code: 1005 when the payload is empty.</summary>
    public int CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : WebSocketCloseCodes.NoStatusReceived;

    public string Text => Encoding.UTF8.GetString(Payload);
}
