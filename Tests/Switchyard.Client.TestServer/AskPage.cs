namespace Switchyard.Client.TestServer;

/// <summary><c>test.ask_page</c>: a request whose handler calls the page (<see cref="PageQuestion"/>) and replies with what it answered.</summary>
/// <param name="N">Passed on in the question.</param>
[Message("test.ask_page")]
public sealed partial record AskPage(int N);
