namespace Switchyard.Client.TestServer;

/// <summary><c>test.joined</c>: what <see cref="FeedConsumer"/> tells its client once it has joined its feed.</summary>
/// <param name="Since">The position the client resumed from (<c>since=</c>), or <see langword="null"/>.</param>
/// <param name="Replayed">How many missed items were sent again.</param>
/// <param name="Loss">Why none could be (<c>None</c> when nothing was lost).</param>
[Message("test.joined")]
public sealed partial record Joined(string? Since, int Replayed, string Loss);
