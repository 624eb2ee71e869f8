namespace Switchyard.Redis.TestServer;

/// <summary>
/// What the tests send to a user (SendToUserAsync) and <c>EchoConsumer</c> passes on to its client. The tests
/// compile this same file (linked), so both sides have the same message type and generated serializers.
/// </summary>
[Message("testserver.note")]
public sealed partial record UserNote(string Text);
