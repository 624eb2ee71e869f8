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

    /// <summary><c>ValueTask&lt;TReply&gt;</c> of a <c>[FromClient]</c> handler: the reply to the client's request.</summary>
    ValueTaskOfReply,

    /// <summary><c>Task&lt;TReply&gt;</c> of a <c>[FromClient]</c> handler: the reply to the client's request.</summary>
    TaskOfReply,
}

/// <summary>How a handler that only forwards its message to the WebSocket client makes the frame (the forwarding path).</summary>
internal enum ForwardKind
{
    /// <summary>Not a forwarder: the handler runs.</summary>
    None,

    /// <summary><c>SendAsync(m)</c> of a JSON consumer: the message's JSON, a text frame.</summary>
    Json,

    /// <summary><c>SendTextAsync(m.Field)</c> of a <c>string</c> field: its UTF-8, a text frame.</summary>
    TextString,

    /// <summary><c>SendTextAsync(m.Field)</c> of a <c>byte[]</c> field holding UTF-8: a text frame.</summary>
    TextBytes,

    /// <summary><c>SendBytesAsync(m.Field)</c> of a <c>byte[]</c> field: a binary frame.</summary>
    Binary,
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
/// <param name="FromClient">
/// Whether the handler is marked <c>[FromClient]</c>: it takes the JSON frames of the consumer's WebSocket clients, and
/// only those. Every other handler takes messages from the channel layer only.
/// </param>
/// <param name="Forward">How the handler forwards its message to the client, when that is all it does.</param>
/// <param name="ForwardMember">The forwarded field of the message (<see cref="ForwardKind.TextString"/> and the byte kinds).</param>
/// <param name="ReplyTypeName">The <c>global::</c>-qualified message record a reply-returning handler answers with; empty otherwise.</param>
/// <param name="ReplyMessageType">The <c>type</c> string of that reply, or empty (a member-only record cannot be a reply).</param>
internal sealed record HandlerSpec(
    string MethodName,
    string MessageType,
    string MessageTypeName,
    bool TakesCancellationToken,
    HandlerReturn Returns,
    bool HasJson = true,
    bool FromClient = false,
    ForwardKind Forward = ForwardKind.None,
    string ForwardMember = "",
    string ReplyTypeName = "",
    string ReplyMessageType = "");
