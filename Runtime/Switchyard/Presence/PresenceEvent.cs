using System.Buffers;
using System.Text.Json;
using Switchyard.Serialization;

namespace Switchyard;

/// <summary>
/// What a group with presence tells its members (type <c>switchyard.presence</c>): who joined and who left since the
/// last event, and how many members the group has now. Events are batched: one per group per
/// <see cref="ChannelLayerOptions.PresenceInterval"/> and process at the most, however many joined or left. In a
/// counts-only group (<see cref="GroupPresenceRule.CountsOnly"/>) <see cref="Joins"/> and <see cref="Leaves"/> are empty.
/// </summary>
/// <remarks>
/// A consumer hears it with a handler, such as <c>public ValueTask Handle(PresenceEvent e, CancellationToken ct) =&gt; SendAsync(e, ct);</c>
/// to pass it on to its client as JSON; a consumer without one does not see it (it is not an unhandled message).
/// </remarks>
/// <param name="Group">The group.</param>
/// <param name="Count">The group's member count when the event was sent; -1 on a layer that cannot count members.</param>
/// <param name="Joins">The members that joined, oldest first.</param>
/// <param name="Leaves">The members that left, oldest first (a crashed process's members too, once their presence timed out).</param>
[Message("switchyard.presence")]
public sealed record PresenceEvent(string Group, long Count, IReadOnlyList<PresenceMember> Joins, IReadOnlyList<PresenceMember> Leaves)
    : IChannelMessage<PresenceEvent>, IJsonMessage<PresenceEvent>
{
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText TypeValue = JsonEncodedText.Encode("switchyard.presence");
    private static readonly JsonEncodedText GroupName = JsonEncodedText.Encode("group");
    private static readonly JsonEncodedText CountName = JsonEncodedText.Encode("count");
    private static readonly JsonEncodedText JoinsName = JsonEncodedText.Encode("joins");
    private static readonly JsonEncodedText LeavesName = JsonEncodedText.Encode("leaves");
    private static readonly JsonEncodedText ChannelName = JsonEncodedText.Encode("channel");
    private static readonly JsonEncodedText UserIdName = JsonEncodedText.Encode("userId");
    private static readonly JsonEncodedText InfoName = JsonEncodedText.Encode("info");
    private static readonly JsonEncodedText JoinedAtName = JsonEncodedText.Encode("joinedAt");

    /// <inheritdoc />
    public static string MessageType => "switchyard.presence";

    /// <inheritdoc />
    public static void Write(PresenceEvent message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        var output = new BinaryMessageWriter(writer);
        output.WriteString(message.Group);
        output.WriteInt64(message.Count);
        WriteMembers(ref output, message.Joins);
        WriteMembers(ref output, message.Leaves);
    }

    /// <inheritdoc />
    public static PresenceEvent Read(ReadOnlySpan<byte> payload)
    {
        var input = new BinaryMessageReader(payload);
        var group = input.ReadString() ?? throw new FormatException($"A '{MessageType}' message has no group.");
        var count = input.ReadInt64();
        var joins = ReadMembers(ref input);
        var leaves = ReadMembers(ref input);
        input.EnsureAtEnd(MessageType);
        return new PresenceEvent(group, count, joins, leaves);
    }

    /// <inheritdoc />
    public static void WriteJson(PresenceEvent value, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString(TypeName, TypeValue);
        writer.WriteString(GroupName, value.Group);
        writer.WriteNumber(CountName, value.Count);
        WriteMembersJson(writer, JoinsName, value.Joins);
        WriteMembersJson(writer, LeavesName, value.Leaves);
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public static PresenceEvent ReadJson(ref Utf8JsonReader reader)
    {
        const string Message = "switchyard.presence";
        JsonMessageReader.ReadStartObject(ref reader, Message);
        string? group = null;
        long count = -1;
        List<PresenceMember> joins = [];
        List<PresenceMember> leaves = [];
        while (JsonMessageReader.ReadNextProperty(ref reader, Message))
        {
            if (reader.ValueTextEquals(GroupName.EncodedUtf8Bytes))
            {
                JsonMessageReader.ReadValue(ref reader, Message);
                group = JsonMessageReader.ReadString(ref reader, "group", Message);
            }
            else if (reader.ValueTextEquals(CountName.EncodedUtf8Bytes))
            {
                JsonMessageReader.ReadValue(ref reader, Message);
                count = JsonMessageReader.ReadInteger(ref reader, -1, long.MaxValue, "count", Message);
            }
            else if (reader.ValueTextEquals(JoinsName.EncodedUtf8Bytes))
            {
                ReadMembersJson(ref reader, "joins", joins);
            }
            else if (reader.ValueTextEquals(LeavesName.EncodedUtf8Bytes))
            {
                ReadMembersJson(ref reader, "leaves", leaves);
            }
            else
            {
                JsonMessageReader.SkipValue(ref reader, Message);
            }
        }

        return new PresenceEvent(group ?? throw JsonMessageReader.MissingField("group", Message), count, joins, leaves);
    }

    private static void WriteMembers(ref BinaryMessageWriter output, IReadOnlyList<PresenceMember> members)
    {
        output.WriteCount(members.Count);
        foreach (var member in members)
        {
            output.WriteString(member.Channel);
            output.WriteString(member.UserId);
            output.WriteString(member.Info);
            output.WriteDateTimeOffset(member.JoinedAt);
        }
    }

    private static PresenceMember[] ReadMembers(ref BinaryMessageReader input)
    {
        var members = new PresenceMember[input.ReadCount()];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = new PresenceMember(
                input.ReadString() ?? throw new FormatException($"A member of a '{MessageType}' message has no channel."),
                input.ReadString(),
                input.ReadString(),
                input.ReadDateTimeOffset());
        }

        return members;
    }

    private static void WriteMembersJson(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<PresenceMember> members)
    {
        writer.WriteStartArray(name);
        foreach (var member in members)
        {
            writer.WriteStartObject();
            writer.WriteString(ChannelName, member.Channel);
            writer.WriteString(UserIdName, member.UserId);
            writer.WriteString(InfoName, member.Info);
            writer.WriteString(JoinedAtName, member.JoinedAt);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void ReadMembersJson(ref Utf8JsonReader reader, string field, List<PresenceMember> members)
    {
        const string Message = "switchyard.presence";
        JsonMessageReader.ReadValue(ref reader, Message);
        JsonMessageReader.RequireStartArray(ref reader, field, Message);
        while (JsonMessageReader.ReadNextElement(ref reader, Message))
        {
            JsonMessageReader.RequireStartObject(ref reader, field, Message);
            string? channel = null;
            string? userId = null;
            string? info = null;
            DateTimeOffset joinedAt = default;
            while (JsonMessageReader.ReadNextProperty(ref reader, Message))
            {
                var name = reader.GetString();
                JsonMessageReader.ReadValue(ref reader, Message);
                switch (name)
                {
                    case "channel":
                        channel = JsonMessageReader.ReadString(ref reader, "channel", Message);
                        break;
                    case "userId":
                        userId = JsonMessageReader.ReadNullableString(ref reader, "userId", Message);
                        break;
                    case "info":
                        info = JsonMessageReader.ReadNullableString(ref reader, "info", Message);
                        break;
                    case "joinedAt":
                        joinedAt = JsonMessageReader.ReadDateTimeOffset(ref reader, "joinedAt", Message);
                        break;
                    default:
                        if (!reader.TrySkip())
                        {
                            throw new JsonException($"The JSON for '{Message}' ends inside a value.");
                        }

                        break;
                }
            }

            members.Add(new PresenceMember(channel ?? throw JsonMessageReader.MissingField("channel", Message), userId, info, joinedAt));
        }
    }
}
