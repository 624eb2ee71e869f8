namespace Switchyard;

/// <summary>
/// Marks a <c>partial record</c> as a Switchyard message. The source generator writes its serializers (a compact
/// binary form for channel layers and camelCase JSON for clients) and, when a type is given, implements
/// <see cref="IChannelMessage{TSelf}"/> so consumers can handle it.
/// </summary>
/// <remarks>
/// <code>
/// [Message("chat.message")]
/// public sealed partial record ChatMessage(string Room, string Text, DateTimeOffset At);
///
/// [Message] // no type: serializable as a member of other messages only
/// public sealed partial record Author(string Name, Uri? Homepage);
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class MessageAttribute : Attribute
{
    /// <summary>Marks a record that is only ever a member of other messages.</summary>
    public MessageAttribute()
    {
    }

    /// <summary>Marks a message with its type string.</summary>
    /// <param name="type">The message type, such as <c>chat.message</c>: ASCII letters, digits, <c>-_.</c>, shorter than 100 characters.</param>
    public MessageAttribute(string type) => Type = type;

    /// <summary>Gets the message type, or <see langword="null"/> for a member-only record.</summary>
    public string? Type { get; }
}
