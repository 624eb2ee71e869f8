using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Client.Internal;
using Switchyard.Serialization;

namespace Switchyard.Client;

/// <summary>
/// A client of a Switchyard <c>JsonWebSocketConsumer</c> (docs/protocol.md): typed messages both ways, requests
/// answered by replies, acknowledgements or errors, server calls answered by handlers, <c>switchyard.batch</c> frames,
/// reconnects with exponential backoff and full jitter, and resume from the last group position.
/// </summary>
/// <remarks>
/// <para>
/// Messages are the <c>[Message]</c> records the server uses, compiled with the Switchyard generator; they are written
/// and read by their generated <c>WriteJson</c>/<c>ReadJson</c> and dispatched by their <c>MessageType</c>: no
/// reflection, so the client is trimming- and Native-AOT-safe.
/// </para>
/// <para>
/// Received messages go to their <see cref="On{T}"/> handlers one at a time, in order, off the receive loop; answers
/// to requests settle as soon as they arrive (a handler may await a request); server calls run concurrently.
/// </para>
/// </remarks>
public sealed partial class SwitchyardClient : IAsyncDisposable
{
    /// <summary>The subprotocol the client always offers: the server may put several messages in one frame, separated by <c>\n</c>.</summary>
    public const string BatchSubprotocol = "switchyard.batch";

    private readonly Uri _uri;
    private readonly string _endpoint;
    private readonly SwitchyardClientOptions _options;
    private readonly ILogger _logger;
    private readonly Func<double> _jitter;
    private readonly Lock _gate = new();
    private readonly LinkedList<OutgoingFrame> _queue = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly ConcurrentDictionary<string, MessageRoute> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MessageRoute>.AlternateLookup<ReadOnlySpan<char>> _routeLookup;
    private readonly Lock _routeGate = new();
    private readonly Channel<IncomingMessage> _inbox = Channel.CreateUnbounded<IncomingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _lifetime = new();

    private SwitchyardClientState _state;
    private ClientConnection? _connection;
    private bool _writable;
    private bool _closing;
    private SwitchyardClosedException? _closedBy;
    private long _nextId;
    private volatile string? _position;
    private GroupPosition? _lastPosition;
    private Task? _run;
    private Task? _dispatch;

    /// <summary>Creates a client; nothing is connected until <see cref="ConnectAsync"/>.</summary>
    /// <param name="uri">The consumer's <c>ws://</c> or <c>wss://</c> URL, such as <c>ws://127.0.0.1:5000/ws/chat/lobby/</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="uri"/> is not an absolute <c>ws</c>/<c>wss</c> URL, or an option is out of range.</exception>
    public SwitchyardClient(Uri uri, SwitchyardClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeWs && uri.Scheme != Uri.UriSchemeWss))
        {
            throw new ArgumentException($"'{uri}' is not a ws:// or wss:// URL.", nameof(uri));
        }

        _options = options ?? new SwitchyardClientOptions();
        _options.Validate();
        _uri = uri;
        _endpoint = uri.GetLeftPart(UriPartial.Path);
        _logger = _options.Logger ?? NullLogger.Instance;
        _jitter = _options.Jitter ?? Random.Shared.NextDouble;
        _routeLookup = _routes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Raised on every change of <see cref="State"/>, on the thread that made it; an exception it throws is logged.</summary>
    public event EventHandler<SwitchyardClientStateChangedEventArgs>? StateChanged;

    /// <summary>Gets where the client stands.</summary>
    public SwitchyardClientState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>
    /// Gets the last group position the client kept (<c>epoch:offset</c>, the <c>position</c> field of the last frame
    /// of a group with a history), which a reconnect resumes from; <see langword="null"/> before the first.
    /// </summary>
    public string? Position => _position;

    /// <summary>Handles every received message of type <typeparamref name="T"/> (by <c>T.MessageType</c>).</summary>
    /// <typeparam name="T">A <c>[Message]</c> record.</typeparam>
    /// <param name="handler">
    /// The handler; handlers run one message at a time, in the order the messages arrived. An exception it throws is
    /// logged (<see cref="SwitchyardClientOptions.Logger"/>) and the next message is handled.
    /// </param>
    /// <returns>Dispose it to remove the handler.</returns>
    public IDisposable On<T>(Func<T, CancellationToken, ValueTask> handler)
        where T : IChannelMessage<T>, IJsonMessage<T>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription<T>(handler);
        MessageRoute route;
        lock (_routeGate)
        {
            route = _routes.GetOrAdd(T.MessageType, static _ => new MessageRoute());
            route.Subscriptions = [.. route.Subscriptions, subscription];
        }

        return new Registration(() =>
        {
            lock (_routeGate)
            {
                route.Subscriptions = Array.FindAll(route.Subscriptions, s => !ReferenceEquals(s, subscription));
            }
        });
    }

    /// <summary>Answers the server's calls of type <typeparamref name="TQuestion"/> (<c>InvokeClientAsync</c>) with a reply.</summary>
    /// <typeparam name="TQuestion">The question, a <c>[Message]</c> record.</typeparam>
    /// <typeparam name="TAnswer">The reply, a <c>[Message]</c> record.</typeparam>
    /// <param name="handler">
    /// The handler. It runs off the receive loop, concurrently with other calls and messages. A
    /// <see cref="SwitchyardRequestFailedException"/> it throws answers <c>switchyard.error</c> with its message; any
    /// other exception is logged and answered with a <c>switchyard.error</c> that names only the type.
    /// </param>
    /// <returns>Dispose it to remove the handler (calls are then answered with <c>switchyard.error</c>).</returns>
    /// <exception cref="InvalidOperationException">The type already has a handler.</exception>
    public IDisposable Handle<TQuestion, TAnswer>(Func<TQuestion, CancellationToken, ValueTask<TAnswer>> handler)
        where TQuestion : IChannelMessage<TQuestion>, IJsonMessage<TQuestion>
        where TAnswer : IChannelMessage<TAnswer>, IJsonMessage<TAnswer>
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddCallHandler(TQuestion.MessageType, new ServerCallHandler<TQuestion, TAnswer>(handler));
    }

    /// <summary>Answers the server's calls of type <typeparamref name="TQuestion"/> with <c>switchyard.ack</c> once the handler finished.</summary>
    /// <typeparam name="TQuestion">The question, a <c>[Message]</c> record.</typeparam>
    /// <param name="handler">The handler; as for <see cref="Handle{TQuestion, TAnswer}"/>.</param>
    /// <returns>Dispose it to remove the handler.</returns>
    /// <exception cref="InvalidOperationException">The type already has a handler.</exception>
    public IDisposable Handle<TQuestion>(Func<TQuestion, CancellationToken, ValueTask> handler)
        where TQuestion : IChannelMessage<TQuestion>, IJsonMessage<TQuestion>
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddCallHandler(TQuestion.MessageType, new ServerCallHandler<TQuestion>(handler));
    }

    /// <summary>
    /// Sends a message without waiting for an answer. While the client is not connected (before the first connect,
    /// while reconnecting) the frame is queued, up to <see cref="SwitchyardClientOptions.MaxQueued"/> frames, and sent
    /// first once the connection opens.
    /// </summary>
    /// <typeparam name="T">A <c>[Message]</c> record.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels waiting for the socket (not a frame already being written).</param>
    /// <returns>A task that completes when the frame was written to the socket, or queued.</returns>
    /// <exception cref="SwitchyardClientException">The queue is full.</exception>
    /// <exception cref="SwitchyardClosedException">The client is closed.</exception>
    public ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default)
        where T : IJsonMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendFrameAsync(FrameWriter.Write(message, default, 0, null), cancellationToken);
    }

    /// <summary>
    /// Sends a request (the frame carries <c>$id</c>) and returns the server's typed reply. A request is sent once:
    /// if the connection is lost after it was sent, it fails with that connection's <see cref="SwitchyardClosedException"/>.
    /// </summary>
    /// <typeparam name="TQuestion">The request, a <c>[Message]</c> record.</typeparam>
    /// <typeparam name="TAnswer">The reply, a <c>[Message]</c> record.</typeparam>
    /// <param name="question">The request.</param>
    /// <param name="timeout">How long to wait for the answer; <see langword="null"/> for <see cref="SwitchyardClientOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="SwitchyardRequestFailedException">The server answered <c>switchyard.error</c>; the message is its text.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout.</exception>
    /// <exception cref="SwitchyardClosedException">The connection was lost or the client closed before the answer.</exception>
    /// <exception cref="SwitchyardClientException">The server answered with something else than a <typeparamref name="TAnswer"/>.</exception>
    public async Task<TAnswer> RequestAsync<TQuestion, TAnswer>(TQuestion question, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TQuestion : IChannelMessage<TQuestion>, IJsonMessage<TQuestion>
        where TAnswer : IChannelMessage<TAnswer>, IJsonMessage<TAnswer>
    {
        ArgumentNullException.ThrowIfNull(question);
        var wait = TimeoutOf(timeout);
        var pending = new PendingRequest<TAnswer>(TQuestion.MessageType);
        var id = Register(pending);
        try
        {
            await SendFrameAsync(WriteRequest(question, id, pending), cancellationToken).ConfigureAwait(false);
            return await pending.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex) when (!pending.Task.IsCompleted)
        {
            throw TimedOut(TQuestion.MessageType, wait, ex);
        }
        finally
        {
            Unregister(id, pending);
        }
    }

    /// <summary>
    /// Sends a request and waits until the server handled it (<c>switchyard.ack</c>, or a reply, which is ignored).
    /// </summary>
    /// <typeparam name="TQuestion">The request, a <c>[Message]</c> record.</typeparam>
    /// <param name="question">The request.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> for <see cref="SwitchyardClientOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the server handled the request.</returns>
    /// <exception cref="SwitchyardRequestFailedException">The server answered <c>switchyard.error</c>.</exception>
    /// <exception cref="TimeoutException">No answer within the timeout.</exception>
    /// <exception cref="SwitchyardClosedException">The connection was lost or the client closed before the answer.</exception>
    public async Task RequestAsync<TQuestion>(TQuestion question, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TQuestion : IChannelMessage<TQuestion>, IJsonMessage<TQuestion>
    {
        ArgumentNullException.ThrowIfNull(question);
        var wait = TimeoutOf(timeout);
        var pending = new PendingAck(TQuestion.MessageType);
        var id = Register(pending);
        try
        {
            await SendFrameAsync(WriteRequest(question, id, pending), cancellationToken).ConfigureAwait(false);
            await pending.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex) when (!pending.Task.IsCompleted)
        {
            throw TimedOut(TQuestion.MessageType, wait, ex);
        }
        finally
        {
            Unregister(id, pending);
        }
    }

    private static OutgoingFrame WriteRequest<T>(T question, long id, PendingRequest pending)
        where T : IJsonMessage<T> => FrameWriter.Write(question, "$id"u8, id, pending);

    private static TimeoutException TimedOut(string type, TimeSpan wait, Exception inner) =>
        new($"No answer to '{type}' within {wait.TotalSeconds:0.###} s.", inner);

    private TimeSpan TimeoutOf(TimeSpan? timeout)
    {
        var wait = timeout ?? _options.RequestTimeout;
        if (wait <= TimeSpan.Zero && wait != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), wait, "A request timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        return wait;
    }

    private long Register(PendingRequest pending)
    {
        var id = Interlocked.Increment(ref _nextId);
        _pending[id] = pending;
        return id;
    }

    private void Unregister(long id, PendingRequest pending)
    {
        _pending.TryRemove(id, out _);
        pending.Abandon();
    }

    private Registration AddCallHandler(string type, ServerCallHandler handler)
    {
        MessageRoute route;
        lock (_routeGate)
        {
            route = _routes.GetOrAdd(type, static _ => new MessageRoute());
            if (route.CallHandler is not null)
            {
                throw new InvalidOperationException($"The server calls of '{type}' already have a handler.");
            }

            route.CallHandler = handler;
        }

        return new Registration(() =>
        {
            lock (_routeGate)
            {
                if (ReferenceEquals(route.CallHandler, handler))
                {
                    route.CallHandler = null;
                }
            }
        });
    }

    private async ValueTask SendFrameAsync(OutgoingFrame frame, CancellationToken cancellationToken)
    {
        ClientConnection connection;
        lock (_gate)
        {
            if (_closing)
            {
                frame.Return();
                throw ClosedError();
            }

            if (!_writable || _connection is null)
            {
                Enqueue(frame);
                return;
            }

            connection = _connection;
        }

        try
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            frame.Return();
            throw;
        }

        try
        {
            if (frame.Request is { } request)
            {
                request.Sent = true;
            }

            // Not the caller's token: cancelling a ClientWebSocket send aborts the socket.
            await connection.Socket.SendAsync(frame.Memory, WebSocketMessageType.Text, endOfMessage: true, connection.Token).ConfigureAwait(false);
            frame.Return();
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is going: the frame waits for the next one (a request sent on it fails with it, and its
            // frame is then skipped).
            lock (_gate)
            {
                if (_closing)
                {
                    frame.Return();
                    throw ClosedError();
                }

                Enqueue(frame);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    // Under _gate.
    private void Enqueue(OutgoingFrame frame)
    {
        if (_queue.Count >= _options.MaxQueued)
        {
            frame.Return();
            throw new SwitchyardClientException(
                $"The client is not connected and already holds {_options.MaxQueued} frames to send (SwitchyardClientOptions.MaxQueued).");
        }

        _queue.AddLast(frame);
    }

    private SwitchyardClosedException ClosedError() =>
        _closedBy ?? new SwitchyardClosedException(1000, string.Empty, SwitchyardCloseKind.Normal, "The client is closed.", null);
}
