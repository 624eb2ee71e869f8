namespace Switchyard.AspNetCore.Tests.Consumers;

[Message("chat.say")]
public sealed partial record Say(string Text);

[Message("chat.message")]
public sealed partial record ChatMessage(string Room, string Text);

[Message("chat.flood")]
public sealed partial record Flood(int Count, int Size);

[Message("test.hello")]
public sealed partial record Hello(string Channel, string? User, string? Subprotocol);

[Message("test.boom")]
public sealed partial record Boom(string Why);

[Message("test.resumed")]
public sealed partial record Resumed(string Position, int Replayed, string Loss);
