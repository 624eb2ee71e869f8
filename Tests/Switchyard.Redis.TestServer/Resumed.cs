namespace Switchyard.Redis.TestServer;

/// <summary>What <see cref="FeedConsumer"/> tells its client after joining: the position reached, how many notes were replayed, and any loss.</summary>
/// <param name="Position">The group's position once the missed notes were sent.</param>
/// <param name="Replayed">How many missed notes were sent again.</param>
/// <param name="Loss">Why none could be (<c>None</c> when nothing was lost).</param>
[Message("testserver.resumed")]
public sealed partial record Resumed(string Position, int Replayed, string Loss);
