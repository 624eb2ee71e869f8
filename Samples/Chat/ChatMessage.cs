namespace Switchyard.Samples.Chat;

/// <summary>A line said in a room. The generator writes its binary and JSON serializers.</summary>
[Message("chat.message")]
public sealed partial record ChatMessage(string Room, string User, string Text);
