using System.Text;
using System.Text.Json;
using Switchyard.Serialization;
using Switchyard.WebSockets.Protocol;

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
    private const int MaxTypeLength = ChannelNames.MaxLength;

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
        ConnectionInternal.Send(WebSocketOpcode.Text, rented.AsMemory(0, length), rented);
        return default;
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

        try
        {
            if (dispatcher.TryDispatchJson(type[..typeLength], json, cancellationToken, out var handling))
            {
                return handling;
            }
        }
        catch (JsonException ex)
        {
            connection.CloseForBadInput(WebSocketCloseCodes.InvalidPayloadData, $"invalid '{Sanitise(Encoding.UTF8.GetString(type[..typeLength]))}' message", Where(ex));
            return default;
        }

        return OnUnknownMessageTypeAsync(Encoding.UTF8.GetString(type[..typeLength]), message, cancellationToken);
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
