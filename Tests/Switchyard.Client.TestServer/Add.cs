namespace Switchyard.Client.TestServer;

/// <summary><c>test.add</c>: a request answered with the <see cref="Sum"/> of its numbers.</summary>
/// <param name="A">The first number.</param>
/// <param name="B">The second number.</param>
[Message("test.add")]
public sealed partial record Add(int A, int B);
