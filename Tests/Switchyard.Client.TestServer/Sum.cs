namespace Switchyard.Client.TestServer;

/// <summary><c>test.sum</c>: the reply to <see cref="Add"/>.</summary>
/// <param name="Value">A + B.</param>
[Message("test.sum")]
public sealed partial record Sum(int Value);
