namespace Switchyard.Samples.Chat;

/// <summary>What a browser sends (as a request) to say something. The generator writes its JSON and binary serializers.</summary>
[Message("chat.say")]
public sealed partial record Say(string Text);

/// <summary>A line said in a room, as the room's members receive it (with its position in the room's history).</summary>
[Message("chat.message")]
public sealed partial record ChatMessage(string Room, string User, string Text, DateTimeOffset At);

/// <summary>Told to a browser that came back with a position: how many lines it missed were sent again, or that some were lost.</summary>
[Message("chat.resumed")]
public sealed partial record Resumed(int Replayed, bool Recovered);
