namespace Switchyard.Client.TestServer;

/// <summary><c>test.kick</c>: sent to the group <c>kick.{name}</c>; each <see cref="FeedConsumer"/> there closes its connection with 1012 (restart).</summary>
/// <param name="Reason">The close reason.</param>
[Message("test.kick")]
public sealed partial record Kick(string Reason);
