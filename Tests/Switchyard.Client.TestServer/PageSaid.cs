namespace Switchyard.Client.TestServer;

/// <summary><c>test.page_said</c>: the reply to <see cref="AskPage"/>, carrying the page's answer as the server read it.</summary>
/// <param name="Value">The answer's value.</param>
/// <param name="By">The answer's author.</param>
[Message("test.page_said")]
public sealed partial record PageSaid(int Value, string By);
