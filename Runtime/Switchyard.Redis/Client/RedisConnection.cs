using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Switchyard.Redis.Resp;

namespace Switchyard.Redis.Client;

/// <summary>
/// One connection to one Redis server: commands are pipelined (any number in flight, replies matched in order),
/// RESP3 pushes go to <see cref="PushReceived"/>. A dead server or a protocol error fails every command in flight with
/// a clear exception and ends the connection (<see cref="Closed"/>); a command that gets no reply within the command
/// timeout fails with <see cref="TimeoutException"/>. Reconnecting is the owner's job (see <see cref="RedisClient"/>).
/// </summary>
internal sealed class RedisConnection : IRedisExecutor, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _pendingLock = new();
    private readonly Queue<TaskCompletionSource<RespValue>> _pending = new();
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RedisConnectionOptions _options;
    private Exception? _failure;
    private Action<RedisConnection, Exception>? _ending;

    private RedisConnection(Stream stream, RedisConnectionOptions options)
    {
        _stream = stream;
        _options = options;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _ = ReadLoopAsync();
    }

    /// <summary>Gets or sets who receives RESP3 push messages (pub/sub).</summary>
    public Action<RespValue>? PushReceived { get; set; }

    /// <summary>Gets a task that completes with the reason when the connection has ended.</summary>
    public Task<Exception> Closed => _closed.Task;

    /// <summary>
    /// Gets or sets who is told, synchronously, when the connection ends: after <see cref="Closed"/> completes and before
    /// the commands in flight fail. It must not block (it may run under the write lock or on the read loop). An owner
    /// that sets it after the end finds <see cref="Closed"/> completed instead; it may be told both ways.
    /// </summary>
    public Action<RedisConnection, Exception>? Ending
    {
        get => Volatile.Read(ref _ending);
        set => Volatile.Write(ref _ending, value);
    }

    /// <summary>Gets the protocol the server agreed to: 3, or 2 when it does not know HELLO.</summary>
    public int Protocol { get; private set; } = 2;

    public RedisConnectionOptions Options => _options;

    /// <summary>Connects, negotiates the protocol, authenticates and selects the database.</summary>
    /// <exception cref="RedisConnectionException">The server cannot be reached or refused the handshake.</exception>
    public static async Task<RedisConnection> ConnectAsync(RedisConnectionOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        Stream? stream = null;
        try
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = options.Host }, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            throw new RedisConnectionException(cancellationToken.IsCancellationRequested
                ? $"Connecting to Redis at {options} was cancelled."
                : $"Could not connect to Redis at {options} within {options.ConnectTimeout}: {ex.Message}", ex);
        }

        var connection = new RedisConnection(stream, options);
        try
        {
            await connection.HandshakeAsync(timeout.Token).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw ex is RedisLayerException ? ex : new RedisConnectionException($"The handshake with Redis at {options} failed: {ex.Message}", ex);
        }
    }

    /// <summary>Sends one command and waits for its reply.</summary>
    /// <exception cref="RedisServerException">Redis answered with an error.</exception>
    /// <exception cref="RedisConnectionException">The connection is (or went) down.</exception>
    /// <exception cref="TimeoutException">No reply within the command timeout.</exception>
    public async Task<RespValue> ExecuteAsync(RedisArg[] command, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(command, cancellationToken).ConfigureAwait(false);
        try
        {
            return await reply.WaitAsync(_options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Redis at {_options} did not answer {command[0]} within {_options.CommandTimeout}.");
        }
    }

    /// <summary>Writes one command and returns its pending reply (for callers that pipeline explicitly).</summary>
    public async Task<Task<RespValue>> SendAsync(RedisArg[] command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reply = new TaskCompletionSource<RespValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_pendingLock)
            {
                if (_failure is not null)
                {
                    throw Disconnected(_failure, mayHaveRun: false);
                }

                _pending.Enqueue(reply);
            }

            RedisArg.WriteLength(_output, (byte)'*', command.Length);
            foreach (var argument in command)
            {
                argument.WriteTo(_output);
            }

            var flushed = await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                throw Disconnected(_failure ?? new IOException("The connection is closed."), mayHaveRun: true);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Fail(ex);
            throw Disconnected(ex, mayHaveRun: true);
        }
        finally
        {
            _writeLock.Release();
        }

        return reply.Task;
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(RedisConnection), "The Redis connection was closed."));
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private RedisConnectionException Disconnected(Exception cause, bool mayHaveRun) =>
        new($"The connection to Redis at {_options} is down: {cause.Message}", cause) { CommandMayHaveRun = mayHaveRun };

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        if (_options.Protocol == 3)
        {
            RedisArg[] hello = _options.Password is null
                ? ["HELLO", 3]
                : ["HELLO", 3, "AUTH", _options.User ?? "default", _options.Password];
            try
            {
                await ExecuteAsync(hello, cancellationToken).ConfigureAwait(false);
                Protocol = 3;
            }
            catch (RedisServerException ex) when (ex.Message.Contains("unknown command", StringComparison.OrdinalIgnoreCase))
            {
                // A server before Redis 6: RESP2 and AUTH.
                await AuthenticateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await AuthenticateAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_options.Database != 0)
        {
            await ExecuteAsync(["SELECT", _options.Database], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AuthenticateAsync(CancellationToken cancellationToken)
    {
        if (_options.Password is not null)
        {
            await ExecuteAsync(_options.User is null ? ["AUTH", _options.Password] : ["AUTH", _options.User, _options.Password], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (true)
                {
                    var reader = new SequenceReader<byte>(buffer);
                    if (!RespReader.TryRead(ref reader, out var value))
                    {
                        break;
                    }

                    buffer = buffer.Slice(reader.Position);
                    Dispatch(value);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Fail(new IOException("Redis closed the connection."));
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Dispatch(RespValue value)
    {
        if (value.Type == RespType.Push && !IsSubscriptionConfirmation(value))
        {
            PushReceived?.Invoke(value);
            return;
        }

        TaskCompletionSource<RespValue>? reply;
        lock (_pendingLock)
        {
            _pending.TryDequeue(out reply);
        }

        if (reply is null)
        {
            throw new RedisProtocolException($"Redis sent a {value.Type} reply that no command was waiting for.");
        }

        if (value.Type == RespType.Error)
        {
            reply.TrySetException(new RedisServerException(value.AsString() ?? "ERR"));
        }
        else
        {
            reply.TrySetResult(value);
        }
    }

    // In RESP3 the reply to SUBSCRIBE and UNSUBSCRIBE is a push ("subscribe", channel, count): it answers the command.
    private static bool IsSubscriptionConfirmation(RespValue push) =>
        push.Items is [{ Bytes: { } kind }, ..] && (kind.AsSpan().SequenceEqual("subscribe"u8) || kind.AsSpan().SequenceEqual("unsubscribe"u8));

    private void Fail(Exception cause)
    {
        TaskCompletionSource<RespValue>[] orphans;
        lock (_pendingLock)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = cause;
            orphans = [.. _pending];
            _pending.Clear();
        }

        // The owner hears of the end first (its client stops handing this connection out and starts reconnecting), so a
        // caller whose command fails below and then waits for the client to be connected again never finds it still
        // "connected". Closed is set before the hook is read: an owner that sets the hook late sees Closed instead.
        _input.CancelPendingRead();
        _closed.TrySetResult(cause);
        Volatile.Read(ref _ending)?.Invoke(this, cause);

        // These commands were written: whether Redis ran them is unknown.
        var error = cause as RedisLayerException ?? Disconnected(cause, mayHaveRun: true);
        foreach (var orphan in orphans)
        {
            orphan.TrySetException(error);
        }
    }
}
