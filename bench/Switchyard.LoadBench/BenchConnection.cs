using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace Switchyard.LoadBench;

/// <summary>The server kinds the client can drive.</summary>
internal enum ServerKind
{
    Raw,
    SignalR,
    Switchyard,
}

/// <summary>What a connection is for; each kind maps it to a path (and, for SignalR, to hub calls).</summary>
internal enum Role
{
    /// <summary>Sends messages and expects each back.</summary>
    Echo,

    /// <summary>Receives every published message.</summary>
    Subscriber,

    /// <summary>Sends messages that go to every subscriber.</summary>
    Publisher,

    /// <summary>Opens and stays idle.</summary>
    Idle,

    /// <summary>The relay: a member of the group; receives every frame sent to the group and may send to it.</summary>
    Member,
}

/// <summary>Gets the application messages found in each received frame.</summary>
internal interface IMessageSink
{
    /// <summary>One application message (a JSON document, or a hub invocation holding it); valid only during the call.</summary>
    void OnMessage(ReadOnlySpan<byte> message, long receivedTimestamp);
}

/// <summary>
/// The adapter to one server kind: connect, send one application message, receive the messages of one frame.
/// Each connection has one receive loop (the caller's) and one reusable, pooled receive buffer.
/// </summary>
internal abstract class BenchConnection : IAsyncDisposable
{
    private const int InitialBufferSize = 4096;

    private byte[] receiveBuffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);

    protected ClientWebSocket Socket { get; } = new();

    public static BenchConnection Create(BenchOptions options) => options.Kind switch
    {
        ServerKind.Raw => new RawConnection(options.Group),
        ServerKind.Switchyard => new SwitchyardConnection(options.Batch, options.Shape, options.Group),
        ServerKind.SignalR => new SignalRConnection(options.Group),
        _ => throw new ArgumentOutOfRangeException(nameof(options)),
    };

    public WebSocketState State => Socket.State;

    /// <summary>The close code and reason the server sent, if it closed the connection.</summary>
    public string? CloseReason => Socket.CloseStatus is { } status
        ? $"{(int)status} {Socket.CloseStatusDescription}".TrimEnd()
        : null;

    /// <summary>Ends the connection at once (no close handshake): how the run's deadline stops a pending receive.</summary>
    public void Abort() => Socket.Abort();

    /// <summary>
    /// Aborts the connection when <paramref name="ct"/> is cancelled, so the hot loops can send and receive with
    /// <see cref="CancellationToken.None"/> (no cancellation registration per call) and still end at the deadline.
    /// </summary>
    public CancellationTokenRegistration AbortOn(CancellationToken ct) =>
        ct.Register(static state => ((BenchConnection)state!).Abort(), this);

    /// <summary>Opens the WebSocket for <paramref name="role"/> (and does whatever the protocol needs before messages flow).</summary>
    public async Task ConnectAsync(Uri baseUri, Role role, HttpMessageInvoker invoker, CancellationToken ct)
    {
        Socket.Options.KeepAliveInterval = TimeSpan.Zero;
        ConfigureOptions(Socket.Options, role);
        await Socket.ConnectAsync(new Uri(baseUri, PathFor(role)), invoker, ct);
        await OnConnectedAsync(role, ct);
    }

    /// <summary>Sends one application message (UTF-8 JSON).</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken ct);

    /// <summary>
    /// Receives one WebSocket message and hands every application message in it to <paramref name="sink"/>.
    /// False when the server closed the connection.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReceiveAsync(IMessageSink sink, CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            if (length == receiveBuffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(receiveBuffer.Length * 2);
                receiveBuffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(receiveBuffer);
                receiveBuffer = bigger;
            }

            var result = await Socket.ReceiveAsync(receiveBuffer.AsMemory(length), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                break;
            }
        }

        return Dispatch(receiveBuffer.AsSpan(0, length), Stopwatch.GetTimestamp(), sink);
    }

    /// <summary>Closes with the WebSocket close handshake; true when it completed cleanly.</summary>
    public async Task<bool> CloseAsync(CancellationToken ct)
    {
        try
        {
            if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
            }

            return Socket.State == WebSocketState.Closed;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    public virtual ValueTask DisposeAsync()
    {
        Socket.Dispose();
        var buffer = Interlocked.Exchange(ref receiveBuffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ValueTask.CompletedTask;
    }

    protected abstract string PathFor(Role role);

    protected virtual void ConfigureOptions(ClientWebSocketOptions options, Role role)
    {
    }

    protected virtual Task OnConnectedAsync(Role role, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Splits one received WebSocket message into application messages; false if it announced a close.</summary>
    protected abstract bool Dispatch(ReadOnlySpan<byte> frame, long receivedTimestamp, IMessageSink sink);

    protected ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken ct) =>
        Socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
}

/// <summary>The raw Kestrel server: /echo, /fanout, /publish, the relay /ws/group/{name}/; one message per frame.</summary>
internal sealed class RawConnection(string group) : BenchConnection
{
    public override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken ct) => SendFrameAsync(message, ct);

    protected override string PathFor(Role role) => role switch
    {
        Role.Subscriber => "fanout",
        Role.Publisher => "publish",
        Role.Member => $"ws/group/{group}/",
        _ => "echo",
    };

    protected override bool Dispatch(ReadOnlySpan<byte> frame, long receivedTimestamp, IMessageSink sink)
    {
        sink.OnMessage(frame, receivedTimestamp);
        return true;
    }
}

/// <summary>
/// The Switchyard server: the same paths as raw, the JSON relay at /ws/json/{name}/; with <c>batch</c>, subscribers ask
/// for the <c>switchyard.batch</c> subprotocol and a frame may hold several JSON messages separated by <c>\n</c>.
/// </summary>
internal sealed class SwitchyardConnection(bool batch, RelayShape shape, string group) : BenchConnection
{
    public const string BatchSubprotocol = "switchyard.batch";

    public override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken ct) => SendFrameAsync(message, ct);

    protected override string PathFor(Role role) => role switch
    {
        Role.Subscriber => "fanout",
        Role.Publisher => "publish",
        Role.Member => shape == RelayShape.Json ? $"ws/json/{group}/" : $"ws/group/{group}/",
        _ => "echo",
    };

    protected override void ConfigureOptions(ClientWebSocketOptions options, Role role)
    {
        if (batch && role is Role.Subscriber or Role.Member)
        {
            options.AddSubProtocol(BatchSubprotocol);
        }
    }

    protected override bool Dispatch(ReadOnlySpan<byte> frame, long receivedTimestamp, IMessageSink sink)
    {
        if (!batch)
        {
            sink.OnMessage(frame, receivedTimestamp);
            return true;
        }

        while (!frame.IsEmpty)
        {
            var end = frame.IndexOf((byte)'\n');
            var message = end < 0 ? frame : frame[..end];
            if (!message.IsEmpty)
            {
                sink.OnMessage(message, receivedTimestamp);
            }

            frame = end < 0 ? default : frame[(end + 1)..];
        }

        return true;
    }
}
