namespace Switchyard.Redis.Benchmarks.Resume;

/// <summary>A message of the resumed feed: its number in the batch and a 64-character text.</summary>
[Message("bench.feed")]
public sealed partial record FeedItem(int N, string Text);

/// <summary>What the feed consumer says once it has replayed what the client missed.</summary>
[Message("bench.resumed")]
public sealed partial record FeedResumed(string Position, int Replayed, string Loss);
