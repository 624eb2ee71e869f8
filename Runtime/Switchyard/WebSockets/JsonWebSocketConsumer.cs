using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Switchyard.Serialization;

namespace Switchyard;

/// <summary>
/// A WebSocket consumer whose client speaks JSON: every text frame is one object with a <c>type</c> field, read as the
/// typed message of that type and handed to its handler through the generated serializers (Django Channels'
/// <c>AsyncJsonWebsocketConsumer</c>, typed). Handlers take the same message records that travel the channel layer.
/// </summary>
/// <remarks>
/// Bad input closes the connection with a logged reason and never reaches a handler: a binary frame or an unknown
/// <c>type</c> closes with 1003 (<see cref="WebSocketCloseCodes.UnsupportedData"/>); malformed JSON, a missing
/// <c>type</c> or a frame that is not a valid message of its type closes with 1007
/// (<see cref="WebSocketCloseCodes.InvalidPayloadData"/>).
/// </remarks>
public abstract class JsonWebSocketConsumer : WebSocketConsumer
{
    /// <summary>
    /// The subprotocol a client asks for to receive several JSON messages per frame, separated by <c>\n</c>
    /// (docs/protocol.md). A JSON consumer chooses it when the client offers it.
    /// </summary>
    public const string BatchSubprotocol = "switchyard.batch";

    private const int MaxTypeLength = ChannelNames.MaxLength;
    private static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(30);

    // The client's request being handled ($id of the frame; 0 for none) and whether it was answered. Handlers never
    // run concurrently, so plain fields do.
    private long _request;
    private bool _answered;
    private ClientCalls? _calls;
    private volatile bool _connectionClosed;

    /// <summary>Sends a typed message to the client as one JSON text frame.</summary>
    /// <typeparam name="T">A message record with a generated JSON writer.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Unused: sends are queued, never waited on.</param>
    /// <returns>A completed task.</returns>
    protected ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default)
        where T : IJsonMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);
        var (rented, length) = JsonFrame.Serialize(message);
        ConnectionInternal.Send(text: true, rented.AsMemory(0, length), rented);
        return default;
    }

    /// <summary>
    /// Answers the client's request being handled (a frame with <c>$id</c>, docs/protocol.md) with
    /// <paramref name="message"/>: it is sent with <c>"$re"</c> set to the request's id. A handler may reply this way
    /// instead of returning the message; a request gets one reply. Without a request (the frame had no <c>$id</c>) the
    /// message is sent as <see cref="SendAsync{T}"/> sends it.
    /// </summary>
    /// <typeparam name="T">A message record with a generated JSON writer.</typeparam>
    /// <param name="message">The reply.</param>
    /// <param name="cancellationToken">Unused: sends are queued, never waited on.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="InvalidOperationException">The request was already answered.</exception>
    protected ValueTask ReplyAsync<T>(T message, CancellationToken cancellationToken = default)
        where T : IJsonMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);
        var id = _request;
        if (id == 0)
        {
            return SendAsync(message, cancellationToken);
        }

        if (_answered)
        {
            throw new InvalidOperationException($"Request {id} was already answered; a request gets one reply.");
        }

        _answered = true;
        var (rented, length) = JsonEnvelope.Serialize(message, "$re"u8, id);
        ConnectionInternal.Send(text: true, rented.AsMemory(0, length), rented);
        return default;
    }

    /// <summary>Replies with a handler's returned message once it is ready (called by the generated dispatch).</summary>
    /// <typeparam name="T">The reply's message record.</typeparam>
    /// <param name="reply">The handler's result.</param>
    /// <returns>A task that completes when the reply is queued.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ValueTask ReplyWhenDoneAsync<T>(ValueTask<T> reply)
        where T : IJsonMessage<T>
    {
        if (reply.IsCompletedSuccessfully)
        {
            return ReplyAsync(reply.Result);
        }

        return AwaitReplyAsync(reply);
    }

    /// <summary>Replies with a handler's returned message once it is ready (called by the generated dispatch).</summary>
    /// <typeparam name="T">The reply's message record.</typeparam>
    /// <param name="reply">The handler's result.</param>
    /// <returns>A task that completes when the reply is queued.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ValueTask ReplyWhenDoneAsync<T>(Task<T> reply)
        where T : IJsonMessage<T>
    {
        ArgumentNullException.ThrowIfNull(reply);
        return ReplyWhenDoneAsync(new ValueTask<T>(reply));
    }

    private async ValueTask AwaitReplyAsync<T>(ValueTask<T> reply)
        where T : IJsonMessage<T> =>
        await ReplyAsync(await reply.ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>
    /// Calls the client: sends <paramref name="question"/> with an <c>$id</c> and waits until the client has handled it
    /// (it answers <c>switchyard.ack</c>, or any reply). The client's answer is taken as soon as it arrives, not in turn
    /// with the handlers, so a handler may await this; while it waits it holds its consumer's turn, as any await does
    /// (forwarded group messages still reach the client).
    /// </summary>
    /// <typeparam name="TQuestion">The message record sent.</typeparam>
    /// <param name="question">The message.</param>
    /// <param name="timeout">How long to wait for the answer; 30 seconds when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the client has answered.</returns>
    /// <exception cref="ClientCallException">The client refused the call, or the connection closed first.</exception>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    protected async Task InvokeClientAsync<TQuestion>(TQuestion question, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TQuestion : IJsonMessage<TQuestion> =>
        _ = await CallClientAsync(question, timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Calls the client and returns its answer: sends <paramref name="question"/> with an <c>$id</c> and waits for the
    /// client's reply, a <typeparamref name="TAnswer"/> with <c>$re</c> (SignalR's client results, Socket.IO's
    /// <c>emitWithAck</c>). See <see cref="InvokeClientAsync{TQuestion}"/> for how the wait works.
    /// </summary>
    /// <typeparam name="TQuestion">The message record sent.</typeparam>
    /// <typeparam name="TAnswer">The message record the client answers with.</typeparam>
    /// <param name="question">The message.</param>
    /// <param name="timeout">How long to wait for the answer; 30 seconds when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The client's answer.</returns>
    /// <exception cref="ClientCallException">The client refused the call or answered with something else, or the connection closed first.</exception>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    protected async Task<TAnswer> InvokeClientAsync<TQuestion, TAnswer>(TQuestion question, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TQuestion : IJsonMessage<TQuestion>
        where TAnswer : IJsonMessage<TAnswer>
    {
        var answer = await CallClientAsync(question, timeout, cancellationToken).ConfigureAwait(false);
        if (IsType(answer, JsonEnvelope.AckType))
        {
            throw new ClientCallException($"The client acknowledged {typeof(TQuestion).Name} without answering with {typeof(TAnswer).Name}.");
        }

        try
        {
            var reader = new Utf8JsonReader(answer);
            return TAnswer.ReadJson(ref reader);
        }
        catch (JsonException ex)
        {
            throw new ClientCallException($"The client's answer to {typeof(TQuestion).Name} is not a valid {typeof(TAnswer).Name}: {ex.Message}", ex);
        }
    }

    private async Task<byte[]> CallClientAsync<TQuestion>(TQuestion question, TimeSpan? timeout, CancellationToken cancellationToken)
        where TQuestion : IJsonMessage<TQuestion>
    {
        ArgumentNullException.ThrowIfNull(question);
        var wait = timeout ?? DefaultCallTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));
        var calls = Calls;
        var (id, pending) = calls.Open();
        byte[] answer;
        try
        {
            var (rented, length) = JsonEnvelope.Serialize(question, "$id"u8, id);
            ConnectionInternal.Send(text: true, rented.AsMemory(0, length), rented);
            answer = await pending.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            calls.Forget(id);
            throw new TimeoutException($"The client did not answer {typeof(TQuestion).Name} within {wait}.");
        }
        catch (OperationCanceledException)
        {
            calls.Forget(id);
            throw;
        }

        if (IsType(answer, JsonEnvelope.ErrorType))
        {
            throw new ClientCallException(JsonEnvelope.ReadError(answer)) { RefusedByClient = true };
        }

        return answer;
    }

    private ClientCalls Calls
    {
        get
        {
            var calls = Volatile.Read(ref _calls);
            if (calls is null)
            {
                calls = Interlocked.CompareExchange(ref _calls, new ClientCalls(), null) ?? _calls!;
                if (_connectionClosed)
                {
                    calls.Close();
                }
            }

            return calls;
        }
    }

    private static bool IsType(ReadOnlySpan<byte> json, string type)
    {
        Span<byte> actual = stackalloc byte[MaxTypeLength];
        int length;
        try
        {
            length = JsonMessageReader.ReadType(json, actual);
        }
        catch (JsonException)
        {
            return false;
        }

        return length >= 0 && Encoding.UTF8.GetByteCount(type) == length && Encoding.UTF8.GetString(actual[..length]) == type;
    }

    internal sealed override bool TryTakeAnswer(WebSocketMessage message)
    {
        if (!message.IsText)
        {
            return false;
        }

        long id;
        try
        {
            if (!JsonEnvelope.TryReadId(message.Data.Span, "$re"u8, out id))
            {
                ConnectionInternal.CloseForBadInput(WebSocketCloseCodes.InvalidPayloadData, "'$re' must be an integer from 1 to 2^53-1");
                return true;
            }
        }
        catch (JsonException)
        {
            // Not an answer this can read: the normal path reports the malformed JSON.
            return false;
        }

        if (id == 0)
        {
            return false;
        }

        if (Volatile.Read(ref _calls)?.Complete(id, message.Data.Span) != true)
        {
            ConnectionInternal.AnswerDropped(id);
        }

        return true;
    }

    internal sealed override (bool Waiting, Task WhenWaiting)? ClientCallsWaiting()
    {
        var calls = Calls;
        return calls.Waiting ? (true, Task.CompletedTask) : (false, calls.WhenWaiting());
    }

    internal sealed override void ConnectionClosed()
    {
        _connectionClosed = true;
        Volatile.Read(ref _calls)?.Close();
    }

    /// <summary>
    /// Called for a frame whose <c>type</c> no client handler takes: a type with no handler, or one whose handlers take
    /// messages from the channel layer only (a handler without <see cref="FromClientAttribute"/>). The default closes
    /// with 1003 (<see cref="WebSocketCloseCodes.UnsupportedData"/>) and logs one line naming the type (sanitised);
    /// override to ignore such frames or answer with an error message.
    /// </summary>
    /// <param name="type">The frame's <c>type</c>.</param>
    /// <param name="message">The frame.</param>
    /// <param name="cancellationToken">Cancelled when the connection is aborted.</param>
    /// <returns>A task that completes when the frame is dealt with.</returns>
    protected virtual ValueTask OnUnknownMessageTypeAsync(string type, WebSocketMessage message, CancellationToken cancellationToken)
    {
        ConnectionInternal.CloseForBadInput(WebSocketCloseCodes.UnsupportedData, $"unknown message type '{Sanitise(type)}'");
        return default;
    }

    /// <summary>Text frames of a JSON consumer are typed messages; this is not called.</summary>
    /// <param name="message">Unused.</param>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>A completed task.</returns>
    protected sealed override ValueTask OnReceiveAsync(WebSocketMessage message, CancellationToken cancellationToken) => default;

    internal sealed override ValueTask ReceiveAsync(WebSocketMessage message, CancellationToken cancellationToken)
    {
        var connection = ConnectionInternal;
        if (!message.IsText)
        {
            connection.CloseForBadInput(WebSocketCloseCodes.UnsupportedData, "binary frames are not accepted; send JSON text");
            return default;
        }

        if (this is not IJsonConsumerDispatcher dispatcher)
        {
            throw new InvalidOperationException(
                $"{GetType().FullName} has no generated JSON dispatcher: declare it 'partial' and reference the Switchyard package.");
        }

        var json = message.Data.Span;
        Span<byte> type = stackalloc byte[MaxTypeLength];
        int typeLength;
        try
        {
            typeLength = JsonMessageReader.ReadType(json, type);
        }
        catch (JsonException ex)
        {
            // One line, no stack trace: a client's broken JSON is not a server fault. Where it broke helps whoever wrote it.
            connection.CloseForBadInput(WebSocketCloseCodes.InvalidPayloadData, "malformed JSON", Where(ex));
            return default;
        }

        if (typeLength < 0)
        {
            connection.CloseForBadInput(WebSocketCloseCodes.InvalidPayloadData, "the JSON object has no string 'type' field");
            return default;
        }

        long id;
        try
        {
            if (!JsonEnvelope.TryReadId(json, "$id"u8, out id))
            {
                connection.CloseForBadInput(WebSocketCloseCodes.InvalidPayloadData, "'$id' must be an integer from 1 to 2^53-1");
                return default;
            }
        }
        catch (JsonException ex)
        {
            connection.CloseForBadInput(WebSocketCloseCodes.InvalidPayloadData, "malformed JSON", Where(ex));
            return default;
        }

        _request = id;
        _answered = false;
        var trace = Runner.StartClientFrame(type[..typeLength], id, json.Length);
        ValueTask handling;
        try
        {
            if (!dispatcher.TryDispatchJson(type[..typeLength], json, cancellationToken, out handling))
            {
                _request = 0;
                trace.Refused(MessagingConventions.UnknownTypeError, "unknown message type");
                return OnUnknownMessageTypeAsync(Encoding.UTF8.GetString(type[..typeLength]), message, cancellationToken);
            }
        }
        catch (JsonException ex)
        {
            _request = 0;
            trace.Refused(MessagingConventions.ErrorType(ex), "invalid message");
            connection.CloseForBadInput(WebSocketCloseCodes.InvalidPayloadData, $"invalid '{Sanitise(Encoding.UTF8.GetString(type[..typeLength]))}' message", Where(ex));
            return default;
        }
        catch (RequestFailedException ex)
        {
            trace.Done(ex);
            Refuse(id, ex);
            return default;
        }
        catch (Exception ex)
        {
            trace.Done(ex);
            throw;
        }

        if (id == 0 && handling.IsCompletedSuccessfully)
        {
            trace.Done();
            return handling;
        }

        return FinishRequestAsync(handling, id, trace);
    }

    // The handler of a request has finished: a request nobody replied to is acknowledged; RequestFailedException
    // refuses it (and a frame without $id hears of it as an error without $re). The connection stays open either way.
    private async ValueTask FinishRequestAsync(ValueTask handling, long id, ProcessTrace trace)
    {
        try
        {
            await handling.ConfigureAwait(false);
            if (id != 0 && !_answered)
            {
                var (rented, length) = JsonEnvelope.Ack(id);
                ConnectionInternal.Send(text: true, rented.AsMemory(0, length), rented);
            }

            trace.Done();
        }
        catch (RequestFailedException ex)
        {
            trace.Done(ex);
            Refuse(id, ex);
        }
        catch (Exception ex)
        {
            trace.Done(ex);
            throw;
        }
        finally
        {
            _request = 0;
        }
    }

    private void Refuse(long id, RequestFailedException exception)
    {
        _request = 0;
        if (id != 0 && _answered)
        {
            return;
        }

        var (rented, length) = JsonEnvelope.Error(id, exception.Message);
        ConnectionInternal.Send(text: true, rented.AsMemory(0, length), rented);
    }

    // Where a frame's JSON went wrong, for the log line: the reader's message (with the position), cut short. It may
    // quote a character of the frame; the log sanitises it.
    private static string Where(JsonException ex) => ex.Message.Length > 200 ? ex.Message[..200] + "..." : ex.Message;

    // A client's type string as it may appear in a log line and a close reason: the characters of a valid message type
    // kept, anything else shown as '?', at most 40 characters (a close reason has room for 123 bytes).
    private static string Sanitise(string type)
    {
        const int MaxShown = 40;
        var shown = type.Length > MaxShown ? type[..MaxShown] : type;
        return string.Create(shown.Length, shown, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '?';
            }
        }) + (type.Length > MaxShown ? "..." : string.Empty);
    }
}
