using System.Text.Json;
using Switchyard.Serialization;

namespace Switchyard.Client.Internal;

/// <summary>An <c>On&lt;T&gt;</c> handler: reads its message with the generated reader and calls the handler.</summary>
internal abstract class Subscription(string messageType)
{
    /// <summary>Gets the message type, for log lines.</summary>
    public string MessageType { get; } = messageType;

    public abstract ValueTask InvokeAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken);
}

/// <summary>The handler of messages of type <typeparamref name="T"/>.</summary>
internal sealed class Subscription<T>(Func<T, CancellationToken, ValueTask> handler) : Subscription(T.MessageType)
    where T : IChannelMessage<T>, IJsonMessage<T>
{
    public override ValueTask InvokeAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken) => handler(Read(json.Span), cancellationToken);

    private static T Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return T.ReadJson(ref reader);
    }
}
