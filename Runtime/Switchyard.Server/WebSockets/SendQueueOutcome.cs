namespace Switchyard.Server;

/// <summary>What became of a frame handed to <see cref="WebSocketSendQueue.TrySend"/>.</summary>
internal enum SendQueueOutcome
{
    Queued,
    Full,
    Closed,
}
