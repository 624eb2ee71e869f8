namespace Switchyard.Client.TestServer;

/// <summary><c>test.slow</c>: a request whose handler waits while the gate <c>slow.{Key}</c> is shut (<c>PUT</c>, then <c>POST /test/gates/slow.{Key}</c>), at most 10 s.</summary>
/// <param name="Key">Names the gate.</param>
[Message("test.slow")]
public sealed partial record Slow(string Key);
