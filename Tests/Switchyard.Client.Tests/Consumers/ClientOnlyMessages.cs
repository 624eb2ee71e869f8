namespace Switchyard.Client.Tests.Consumers;

/// <summary>A client's wrong idea of <c>test.strict</c>: without its required <c>text</c>, so the server closes with 1007.</summary>
[Message("test.strict")]
public sealed partial record StrictBroken(int Number);
