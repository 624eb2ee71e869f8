namespace Switchyard.Client.TestServer;

/// <summary><c>test.item</c>: what <c>POST /test/feed/{name}</c> sends to the group <c>feed.{name}</c> (which keeps a history), numbered from 1.</summary>
/// <param name="Seq">Its number.</param>
[Message("test.item")]
public sealed partial record FeedItem(int Seq);
