namespace Switchyard.Generators.Model;

/// <summary>What a handler returns, which decides how the generated dispatch calls it.</summary>
internal enum HandlerReturn
{
    /// <summary><c>ValueTask</c>: returned as is.</summary>
    ValueTask,

    /// <summary><c>Task</c>: wrapped in a <c>ValueTask</c>.</summary>
    Task,

    /// <summary><c>void</c>, marked <c>[SyncHandler]</c>: run on the thread pool, off the event path.</summary>
    Void,
}

/// <summary>A consumer handler: the method to call for one message type.</summary>
/// <param name="MethodName">The method's name.</param>
/// <param name="MessageType">The <c>type</c> string of the message it takes.</param>
/// <param name="MessageTypeName">The <c>global::</c>-qualified message record.</param>
/// <param name="TakesCancellationToken">Whether the method takes a <c>CancellationToken</c> after the message.</param>
/// <param name="Returns">What it returns.</param>
/// <param name="HasJson">
/// Whether the message reads from JSON: generated in this compilation, or a referenced message implementing
/// <c>IJsonMessage&lt;T&gt;</c>. Server-event messages such as <c>http.request</c> travel only in binary and take no
/// part in the JSON dispatch.
/// </param>
/// <param name="Forwards">
/// Whether the handler only sends the message on to the WebSocket client (<c>=> SendAsync(message, ct)</c> in a
/// <c>JsonWebSocketConsumer</c>): such messages take the fast lane (<c>IForwardingConsumer</c>).
/// </param>
internal sealed record HandlerSpec(string MethodName, string MessageType, string MessageTypeName, bool TakesCancellationToken, HandlerReturn Returns, bool HasJson = true, bool Forwards = false);
