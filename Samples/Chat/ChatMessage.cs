namespace Switchyard.Samples.Chat;

/// <summary>What a browser sends to say something. The generator writes its JSON and binary serializers.</summary>
[Message("chat.say")]
public sealed partial record Say(string Text);

/// <summary>A line said in a room, as the room's members receive it.</summary>
[Message("chat.message")]
public sealed partial record ChatMessage(string Room, string User, string Text, DateTimeOffset At);

/// <summary>Someone came into or left a room.</summary>
[Message("chat.presence")]
public sealed partial record Presence(string Room, string User, bool Joined);

/// <summary>Told to one browser only: what it sent was not passed on (the room is too busy).</summary>
[Message("chat.error")]
public sealed partial record ChatError(string Text);
