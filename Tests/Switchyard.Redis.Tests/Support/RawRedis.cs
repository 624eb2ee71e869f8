using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchyard.Redis.Tests.Support;

/// <summary>An error reply (<c>-ERR ...</c>, <c>-MOVED ...</c>) from Redis.</summary>
public sealed record RedisErrorReply(string Message);

/// <summary>
/// One RESP2 command over a raw stream, with no client library: what the fixtures use to set up and watch their
/// servers, and what their own tests use to check them. Replies are a <see cref="string"/> (simple or bulk string),
/// <see langword="null"/> (nil), a <see cref="long"/>, an <c>object?[]</c> or a <see cref="RedisErrorReply"/>.
/// </summary>
public static class RawRedis
{
    /// <summary>Sends one command on a new loopback connection to <paramref name="port"/> and returns the reply.</summary>
    /// <exception cref="SocketException">Nothing listens there.</exception>
    /// <exception cref="OperationCanceledException">No reply within <paramref name="timeout"/>.</exception>
    public static async Task<object?> CommandAsync(int port, TimeSpan timeout, params string[] arguments)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancel.Token);
        return await CommandAsync(client.GetStream(), cancel.Token, arguments);
    }

    /// <summary>Sends one command on <paramref name="stream"/> (plain or TLS) and reads its reply.</summary>
    /// <exception cref="EndOfStreamException">The server closed the connection before it replied.</exception>
    public static async Task<object?> CommandAsync(Stream stream, CancellationToken cancellationToken, params string[] arguments)
    {
        var command = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
        {
            command.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()), cancellationToken);
        await stream.FlushAsync(cancellationToken);
        return await new ReplyReader(stream).ReadAsync(cancellationToken);
    }

    /// <summary>Sends one command and returns its reply as text; an error reply or any other type throws.</summary>
    /// <exception cref="InvalidOperationException">The reply was an error or not a string.</exception>
    public static async Task<string> TextAsync(int port, TimeSpan timeout, params string[] arguments) =>
        await CommandAsync(port, timeout, arguments) is string text
            ? text
            : throw new InvalidOperationException($"`{string.Join(' ', arguments)}` on port {port} did not answer with text.");

    private sealed class ReplyReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[4096];
        private readonly MemoryStream _pending = new();

        public async Task<object?> ReadAsync(CancellationToken cancellationToken)
        {
            var line = await ReadLineAsync(cancellationToken);
            var body = line[1..];
            switch (line[0])
            {
                case '+':
                    return body;
                case '-':
                    return new RedisErrorReply(body);
                case ':':
                    return long.Parse(body, CultureInfo.InvariantCulture);
                case '$':
                    var length = int.Parse(body, CultureInfo.InvariantCulture);
                    if (length < 0)
                    {
                        return null;
                    }

                    var bytes = await ReadExactlyAsync(length + 2, cancellationToken);
                    return Encoding.UTF8.GetString(bytes, 0, length);
                case '*':
                    var count = int.Parse(body, CultureInfo.InvariantCulture);
                    if (count < 0)
                    {
                        return null;
                    }

                    var items = new object?[count];
                    for (var i = 0; i < count; i++)
                    {
                        items[i] = await ReadAsync(cancellationToken);
                    }

                    return items;
                default:
                    throw new InvalidDataException($"Not a RESP2 reply: \"{line}\".");
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var pending = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
                var end = pending.IndexOf("\r\n"u8);
                if (end >= 0)
                {
                    var line = Encoding.UTF8.GetString(pending[..end]);
                    Consume(end + 2);
                    return line;
                }

                await FillAsync(cancellationToken);
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            while (_pending.Length < count)
            {
                await FillAsync(cancellationToken);
            }

            var bytes = _pending.GetBuffer().AsSpan(0, count).ToArray();
            Consume(count);
            return bytes;
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            var read = await stream.ReadAsync(_buffer, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("Redis closed the connection before it replied.");
            }

            _pending.Write(_buffer, 0, read);
        }

        private void Consume(int count)
        {
            var rest = _pending.GetBuffer().AsSpan(count, (int)_pending.Length - count).ToArray();
            _pending.SetLength(0);
            _pending.Write(rest);
        }
    }
}
