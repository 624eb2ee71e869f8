namespace Switchyard.Ipc.Layer;

/// <summary>
/// The messages this process decoded last, by id: the members here of one group send get one <see cref="ChannelMessage"/>
/// instance, so a frame made from it (<see cref="ChannelMessage.GetFrame"/>) is made once per process, not per member.
/// Holds the last <see cref="Capacity"/> ids, the oldest forgotten first.
/// </summary>
internal sealed class RecentMessages
{
    private const int Capacity = 4096;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, ChannelMessage> _messages = new(Capacity);
    private readonly Queue<long> _order = new(Capacity);

    /// <exception cref="IpcLayerException">The bytes are not a message.</exception>
    public ChannelMessage Decode(byte[] bytes)
    {
        var id = MessageCodec.IdOf(bytes);

        // Decoded under the lock: the members of one group send are served from several threads at once (receives
        // woken together) and must share one instance.
        lock (_lock)
        {
            if (_messages.TryGetValue(id, out var known))
            {
                return known;
            }

            var message = MessageCodec.Decode(bytes);
            if (_order.Count == Capacity)
            {
                _messages.Remove(_order.Dequeue());
            }

            _messages[id] = message;
            _order.Enqueue(id);
            return message;
        }
    }
}
