using System.Text;

namespace Switchyard;

/// <summary>
/// A consumer of one WebSocket connection, with the ASGI lifecycle of Django Channels' <c>AsyncWebsocketConsumer</c>:
/// <see cref="OnConnectAsync"/> accepts (optionally with a subprotocol) or rejects, <see cref="OnReceiveAsync"/> gets
/// each text or binary message, <see cref="OnDisconnectAsync"/> gets the close code. Messages sent to the connection's
/// channel or to its groups reach the handler methods the generator wires by message type.
/// </summary>
/// <remarks>
/// Handlers of one connection never run concurrently: client messages, channel-layer messages and the lifecycle
/// callbacks take turns. Sends never wait for a slow client: they are queued, and a client that cannot keep up is
/// dealt with by the server's <c>SlowClientMode</c> (docs/server.md).
/// </remarks>
public abstract class WebSocketConsumer : Consumer
{
    private IWebSocketConnection? _connection;

    /// <summary>Gets what the consumer knows of its connection: path, query, headers, subprotocols, user, route values.</summary>
    public new WebSocketScope Scope => (WebSocketScope)base.Scope;

    /// <summary>
    /// Gets the group position the client says it has got to: the <c>since</c> parameter of the URL's query string,
    /// which the official clients add when they reconnect (docs/protocol.md, "Resume"). Pass it to
    /// <see cref="Consumer.JoinGroupAsync(string, GroupPosition?, CancellationToken)"/>. <see langword="null"/> when the
    /// query has no <c>since</c>, or one that is not a position.
    /// </summary>
    public GroupPosition? ResumePosition
    {
        get
        {
            foreach (var part in Scope.QueryString.TrimStart('?').Split('&'))
            {
                if (part.StartsWith("since=", StringComparison.Ordinal))
                {
                    return GroupPosition.TryParse(Uri.UnescapeDataString(part[6..]), out var position) ? position : null;
                }
            }

            return null;
        }
    }

    /// <summary>Gets the subprotocol the connection was accepted with, if any.</summary>
    public string? Subprotocol => Connection.Subprotocol;

    private IWebSocketConnection Connection => _connection ?? throw new InvalidOperationException(
        $"{GetType().Name} is not attached to a WebSocket connection; it is run by the Switchyard server or a WebSocket communicator.");

    /// <summary>
    /// Called when a client connects, before anything else. The default accepts, choosing the
    /// <see cref="JsonWebSocketConsumer.BatchSubprotocol"/> when the client offered it. Call
    /// <see cref="AcceptAsync"/> or <see cref="RejectAsync"/>; closing before accepting rejects with HTTP 403, as in
    /// Django Channels. A consumer that does neither within the server's <c>ConnectTimeout</c> is refused with HTTP 504.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the connection is aborted.</param>
    /// <returns>A task that completes when the decision is made.</returns>
    protected virtual ValueTask OnConnectAsync(CancellationToken cancellationToken) =>
        AcceptAsync(Scope.Subprotocols.Contains(JsonWebSocketConsumer.BatchSubprotocol) ? JsonWebSocketConsumer.BatchSubprotocol : null, cancellationToken);

    /// <summary>Called for each complete message the client sends. The default ignores it.</summary>
    /// <param name="message">The message; its bytes are valid until the returned task completes.</param>
    /// <param name="cancellationToken">Cancelled when the connection is aborted.</param>
    /// <returns>A task that completes when the message is handled.</returns>
    protected virtual ValueTask OnReceiveAsync(WebSocketMessage message, CancellationToken cancellationToken) => default;

    /// <summary>
    /// Called once when an accepted connection closes, with the code the client sent (or
    /// <see cref="WebSocketCloseCodes.NoStatusReceived"/> when its close frame had none, or
    /// <see cref="WebSocketCloseCodes.AbnormalClosure"/> when it dropped without one). Groups are left afterwards.
    /// </summary>
    /// <param name="closeCode">The close code.</param>
    /// <param name="cancellationToken">Bounds the clean-up.</param>
    /// <returns>A task that completes when clean-up is done.</returns>
    protected virtual ValueTask OnDisconnectAsync(int closeCode, CancellationToken cancellationToken) => default;

    /// <summary>
    /// Called when the handler of a client's message failed with <see cref="ChannelFullException"/>: a channel it sent
    /// to (typically a worker's named channel that is not keeping up) holds its capacity. That is back-pressure, not a
    /// fault: the message is dropped, the connection stays open (no 1011), and the layer has logged the full channel.
    /// The default tells the client nothing; override to send it an error message (as a SignalR hub method's caller
    /// gets an error), or to close with 1013 (Try Again Later). Any other exception of a
    /// handler still stops the consumer and closes with 1011.
    /// </summary>
    /// <param name="exception">The refusal; <see cref="ChannelFullException.Channel"/> names the full channel.</param>
    /// <param name="cancellationToken">Cancelled when the connection is aborted.</param>
    /// <returns>A task that completes when the client has been told.</returns>
    protected virtual ValueTask OnChannelFullAsync(ChannelFullException exception, CancellationToken cancellationToken) => default;

    /// <summary>Accepts the connection, optionally choosing one of the subprotocols the client offered.</summary>
    /// <param name="subprotocol">
    /// A subprotocol from <see cref="WebSocketScope.Subprotocols"/>, or <see langword="null"/>: then a
    /// <see cref="JsonWebSocketConsumer"/> whose client offered <see cref="JsonWebSocketConsumer.BatchSubprotocol"/>
    /// chooses it (the official clients offer it, and a strict client such as Node's <c>ws</c> refuses a handshake that
    /// chooses none of what it offered), and any other consumer chooses none.
    /// </param>
    /// <param name="cancellationToken">Unused; for symmetry with the other verbs.</param>
    /// <returns>A completed task: the handshake is written when the connect step returns.</returns>
    /// <exception cref="InvalidOperationException">The connection was already accepted or rejected, or the client did not offer <paramref name="subprotocol"/>.</exception>
    protected ValueTask AcceptAsync(string? subprotocol = null, CancellationToken cancellationToken = default)
    {
        if (subprotocol is null && this is JsonWebSocketConsumer && Scope.Subprotocols.Contains(JsonWebSocketConsumer.BatchSubprotocol))
        {
            subprotocol = JsonWebSocketConsumer.BatchSubprotocol;
        }

        Connection.Accept(subprotocol);
        return default;
    }

    /// <summary>Refuses the connection with an HTTP status instead of the WebSocket handshake.</summary>
    /// <param name="statusCode">A 4xx or 5xx status; default 403.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="InvalidOperationException">The connection was already accepted or rejected.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not a 4xx or 5xx status.</exception>
    protected ValueTask RejectAsync(int statusCode = 403)
    {
        Connection.Reject(statusCode);
        return default;
    }

    /// <summary>Sends a text message.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Unused: sends are queued, never waited on.</param>
    /// <returns>A completed task; the message is queued (or dropped, counted and logged, when the connection is closing).</returns>
    protected ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = Encoding.UTF8.GetBytes(text, rented);
        Connection.Send(text: true, rented.AsMemory(0, length), rented);
        return default;
    }

    /// <summary>Sends UTF-8 bytes as a text message. The bytes are copied.</summary>
    /// <param name="utf8">Valid UTF-8.</param>
    /// <param name="cancellationToken">Unused: sends are queued, never waited on.</param>
    /// <returns>A completed task.</returns>
    protected ValueTask SendTextAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken = default)
    {
        Connection.SendCopy(text: true, utf8.Span);
        return default;
    }

    /// <summary>Sends a binary message. The bytes are copied.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Unused: sends are queued, never waited on.</param>
    /// <returns>A completed task.</returns>
    protected ValueTask SendBytesAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Connection.SendCopy(text: false, data.Span);
        return default;
    }

    /// <summary>
    /// Closes the connection with a code and reason. Before the connection is accepted this rejects it with HTTP 403.
    /// <see cref="OnDisconnectAsync"/> follows when the client answers (or the close timeout passes).
    /// </summary>
    /// <param name="code">1000, or an application code in 3000–4999; default 1000.</param>
    /// <param name="reason">A short reason; cut to 123 UTF-8 bytes.</param>
    /// <param name="cancellationToken">Unused: the close frame is queued.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> may not be sent.</exception>
    protected ValueTask CloseAsync(int code = WebSocketCloseCodes.NormalClosure, string? reason = null, CancellationToken cancellationToken = default)
    {
        if (!WebSocketCloseCodes.MaySend(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "A close code must be 1000–1003, 1007–1014 or an application code in 3000–4999.");
        }

        Connection.Close(code, reason);
        return default;
    }

    /// <inheritdoc />
    protected internal sealed override ValueTask OnStartedAsync(CancellationToken cancellationToken) => OnConnectAsync(cancellationToken);

    /// <summary>Handles one client message; <see cref="JsonWebSocketConsumer"/> overrides it to dispatch typed JSON.</summary>
    internal virtual ValueTask ReceiveAsync(WebSocketMessage message, CancellationToken cancellationToken) => OnReceiveAsync(message, cancellationToken);

    /// <summary>
    /// Takes a client message that answers the server's own call (<c>$re</c>) before it waits for the consumer's turn;
    /// <see cref="JsonWebSocketConsumer"/> overrides it.
    /// </summary>
    internal virtual bool TryTakeAnswer(WebSocketMessage message) => false;

    /// <summary>
    /// Returns <see langword="null"/> when this consumer never waits on its client; otherwise whether a call waits for
    /// the client's answer now, and a task that completes when one does.
    /// </summary>
    internal virtual (bool Waiting, Task WhenWaiting)? ClientCallsWaiting() => null;

    /// <summary>Called by the connection once it reads nothing more: calls waiting for the client's answer fail.</summary>
    internal virtual void ConnectionClosed()
    {
    }

    internal ValueTask ChannelFullAsync(ChannelFullException exception, CancellationToken cancellationToken) => OnChannelFullAsync(exception, cancellationToken);

    internal ValueTask DisconnectAsync(int closeCode, CancellationToken cancellationToken) => OnDisconnectAsync(closeCode, cancellationToken);

    internal void AttachConnection(IWebSocketConnection connection)
    {
        if (Interlocked.CompareExchange(ref _connection, connection, null) is not null)
        {
            throw new InvalidOperationException($"This {GetType().Name} instance already serves a connection; create one consumer per connection.");
        }
    }

    /// <summary>Gives derived server consumers the connection (sends, closes).</summary>
    internal IWebSocketConnection ConnectionInternal => Connection;
}
