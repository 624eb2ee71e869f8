using System.Text;

namespace Switchyard;

/// <summary>One complete message a client sent: text (valid UTF-8, already checked) or binary.</summary>
/// <remarks>The bytes are pooled: they stay valid until the handler's task completes, not after. Copy what you keep.</remarks>
public readonly struct WebSocketMessage
{
    /// <summary>Creates a message.</summary>
    /// <param name="isText">Whether the client sent a text frame.</param>
    /// <param name="data">The bytes.</param>
    public WebSocketMessage(bool isText, ReadOnlyMemory<byte> data)
    {
        IsText = isText;
        Data = data;
    }

    /// <summary>Gets whether this is a text message (UTF-8); otherwise it is binary.</summary>
    public bool IsText { get; }

    /// <summary>Gets the message bytes (UTF-8 for text), valid until the handler completes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Decodes a text message into a string.</summary>
    /// <returns>The text.</returns>
    /// <exception cref="InvalidOperationException">The message is binary.</exception>
    public string GetText() => IsText
        ? Encoding.UTF8.GetString(Data.Span)
        : throw new InvalidOperationException("This WebSocket message is binary; read its Data instead of its text.");
}
