namespace Switchyard.Client.TestServer;

/// <summary><c>test.refuse</c>: a request its handler always refuses with <see cref="RequestFailedException"/>.</summary>
/// <param name="Why">Goes back in the refusal's text.</param>
[Message("test.refuse")]
public sealed partial record Refuse(string Why);
