namespace Switchyard.Client.TestServer;

/// <summary><c>test.answer</c>: the page's answer to <see cref="PageQuestion"/>.</summary>
/// <param name="Value">What the page made of the question's number.</param>
/// <param name="By">Who answered.</param>
[Message("test.answer")]
public sealed partial record PageAnswer(int Value, string By);
