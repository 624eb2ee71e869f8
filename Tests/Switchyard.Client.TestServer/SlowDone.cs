namespace Switchyard.Client.TestServer;

/// <summary><c>test.slow_done</c>: the (late) reply to <see cref="Slow"/>.</summary>
/// <param name="Key">The request's key.</param>
/// <param name="Released">Whether the gate was opened (rather than the wait timing out).</param>
[Message("test.slow_done")]
public sealed partial record SlowDone(string Key, bool Released);
