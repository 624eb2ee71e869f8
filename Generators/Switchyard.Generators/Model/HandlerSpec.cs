namespace Switchyard.Generators.Model;

/// <summary>A consumer handler: the method to call for one message type.</summary>
/// <param name="MethodName">The method's name.</param>
/// <param name="MessageType">The <c>type</c> string of the message it takes.</param>
/// <param name="MessageTypeName">The <c>global::</c>-qualified message record.</param>
/// <param name="TakesCancellationToken">Whether the method takes a <c>CancellationToken</c> after the message.</param>
/// <param name="ReturnsTask">Whether it returns <c>Task</c> (wrapped in a <c>ValueTask</c>) rather than <c>ValueTask</c>.</param>
internal sealed record HandlerSpec(string MethodName, string MessageType, string MessageTypeName, bool TakesCancellationToken, bool ReturnsTask);
