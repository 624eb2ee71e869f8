namespace Switchyard.Client.TestServer;

/// <summary><c>test.question</c>: the server's call to the page (InvokeClientAsync).</summary>
/// <param name="N">A number for the page to work on.</param>
[Message("test.question")]
public sealed partial record PageQuestion(int N);
