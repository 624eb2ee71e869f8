namespace SwitchyardApp;

// The messages of the chat, on the wire as JSON: "type" from [Message], the fields in camelCase.

/// <summary>From the browser: a line to say in the room it is connected to.</summary>
[Message("chat.say")]
public sealed partial record Say(string Text);

/// <summary>To everyone in a room: a line somebody said there.</summary>
[Message("chat.message")]
public sealed partial record ChatMessage(string Room, string User, string Text, DateTimeOffset At);
