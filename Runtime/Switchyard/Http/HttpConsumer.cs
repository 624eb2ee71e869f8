using System.Text;
using Switchyard.Serialization;

namespace Switchyard;

/// <summary>
/// A consumer of one HTTP request, like Django Channels' <c>AsyncHttpConsumer</c>: <see cref="OnRequestAsync"/> gets the
/// body and answers with <see cref="SendResponseAsync(int, ReadOnlyMemory{byte}, string?, IEnumerable{KeyValuePair{string, string}}?, CancellationToken)"/>,
/// or starts a streaming response with <see cref="SendHeadersAsync"/> and keeps it open (<c>moreBody: true</c>) for
/// Server-Sent Events or long-polling, finishing it from a handler when a message arrives on its channel or group.
/// </summary>
/// <remarks>
/// The consumer lives until its response is complete or the client goes away (then <see cref="OnDisconnectAsync"/>).
/// A consumer that returns from <see cref="OnRequestAsync"/> without starting a response keeps the request open until a
/// handler answers it.
/// </remarks>
public abstract class HttpConsumer : Consumer
{
    private static readonly KeyValuePair<string, string>[] EventStreamHeaders =
    [
        new("content-type", "text/event-stream"),
        new("cache-control", "no-cache"),
    ];

    private IHttpConnection? _connection;

    /// <summary>Gets what the consumer knows of its request: method, path, query, headers, user, route values.</summary>
    public new HttpScope Scope => (HttpScope)base.Scope;

    private IHttpConnection Connection => _connection ?? throw new InvalidOperationException(
        $"{GetType().Name} is not attached to a request; it is run by the Switchyard server or an HTTP communicator.");

    /// <summary>Handles the request.</summary>
    /// <param name="body">The request body (bounded by the server's limit).</param>
    /// <param name="cancellationToken">Cancelled when the consumer is aborted.</param>
    /// <returns>A task that completes when the request is handled.</returns>
    protected abstract ValueTask OnRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    /// <summary>Called when the client goes away before the response is complete.</summary>
    /// <param name="cancellationToken">Bounds the clean-up.</param>
    /// <returns>A task that completes when clean-up is done.</returns>
    protected virtual ValueTask OnDisconnectAsync(CancellationToken cancellationToken) => default;

    /// <summary>Sends a whole response.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="body">The body.</param>
    /// <param name="contentType">The content type, if any.</param>
    /// <param name="headers">More headers.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the response is written.</returns>
    /// <exception cref="InvalidOperationException">A response was already started.</exception>
    protected async ValueTask SendResponseAsync(int status, ReadOnlyMemory<byte> body, string? contentType = null, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        await SendHeadersAsync(status, WithContentType(headers, contentType), cancellationToken).ConfigureAwait(false);
        await SendBodyAsync(body, moreBody: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a whole text response.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="text">The body.</param>
    /// <param name="contentType">The content type; plain UTF-8 text by default.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the response is written.</returns>
    protected ValueTask SendResponseAsync(int status, string text, string contentType = "text/plain; charset=utf-8", CancellationToken cancellationToken = default) =>
        SendResponseAsync(status, Encoding.UTF8.GetBytes(text), contentType, null, cancellationToken);

    /// <summary>Sends a whole response whose body is a typed message as JSON.</summary>
    /// <typeparam name="T">A message record with a generated JSON writer.</typeparam>
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the response is written.</returns>
    protected async ValueTask SendJsonAsync<T>(int status, T message, CancellationToken cancellationToken = default)
        where T : IJsonMessage<T>
    {
        var (rented, length) = JsonFrame.Serialize(message);
        try
        {
            await SendResponseAsync(status, rented.AsMemory(0, length), "application/json", null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Starts a response; send its body with <see cref="SendBodyAsync"/>.</summary>
    /// <param name="status">The HTTP status; default 200.</param>
    /// <param name="headers">The headers.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the start is written.</returns>
    /// <exception cref="InvalidOperationException">A response was already started.</exception>
    protected ValueTask SendHeadersAsync(int status = 200, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default) =>
        Connection.StartResponseAsync(status, headers is null ? [] : [.. headers], cancellationToken);

    /// <summary>Sends a body chunk; <paramref name="moreBody"/> false ends the response (and the consumer).</summary>
    /// <param name="body">The chunk.</param>
    /// <param name="moreBody">Whether more chunks follow.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the chunk is flushed.</returns>
    /// <exception cref="InvalidOperationException">No response was started, or it is already complete.</exception>
    protected ValueTask SendBodyAsync(ReadOnlyMemory<byte> body, bool moreBody = false, CancellationToken cancellationToken = default) =>
        Connection.WriteBodyAsync(body, moreBody, cancellationToken);

    /// <summary>
    /// Sends one Server-Sent Event, starting a <c>text/event-stream</c> response first if none is started. The
    /// response stays open; end it with <see cref="SendBodyAsync"/> (<c>moreBody: false</c>).
    /// </summary>
    /// <param name="data">The event data; each line becomes a <c>data:</c> line.</param>
    /// <param name="eventName">The event name, if any.</param>
    /// <param name="id">The event id, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the event is flushed.</returns>
    protected async ValueTask SendEventAsync(string data, string? eventName = null, string? id = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Connection.ResponseStarted)
        {
            await SendHeadersAsync(200, EventStreamHeaders, cancellationToken).ConfigureAwait(false);
        }

        var text = new StringBuilder();
        if (eventName is not null)
        {
            text.Append("event: ").Append(eventName).Append('\n');
        }

        if (id is not null)
        {
            text.Append("id: ").Append(id).Append('\n');
        }

        foreach (var line in data.Split('\n'))
        {
            text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }

        text.Append('\n');
        await SendBodyAsync(Encoding.UTF8.GetBytes(text.ToString()), moreBody: true, cancellationToken).ConfigureAwait(false);
    }

    internal ValueTask HandleRequestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) => OnRequestAsync(body, cancellationToken);

    internal ValueTask DisconnectAsync(CancellationToken cancellationToken) => OnDisconnectAsync(cancellationToken);

    internal void AttachConnection(IHttpConnection connection)
    {
        if (Interlocked.CompareExchange(ref _connection, connection, null) is not null)
        {
            throw new InvalidOperationException($"This {GetType().Name} instance already serves a request; create one consumer per request.");
        }
    }

    private static IEnumerable<KeyValuePair<string, string>>? WithContentType(IEnumerable<KeyValuePair<string, string>>? headers, string? contentType) =>
        contentType is null ? headers : (headers ?? []).Append(new KeyValuePair<string, string>("content-type", contentType));
}
