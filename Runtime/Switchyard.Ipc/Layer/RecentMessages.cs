namespace Switchyard.Ipc.Layer;

/// <summary>
/// The messages this process decoded last, by id: the members here of one group send get one <see cref="ChannelMessage"/>
/// instance, so a frame made from it (<see cref="ChannelMessage.GetFrame"/>) is made once per process, not per member.
/// </summary>
internal sealed class RecentMessages
{
    private const int Size = 4096;
    private readonly Lock _lock = new();
    private readonly long[] _ids = new long[Size];
    private readonly ChannelMessage?[] _messages = new ChannelMessage?[Size];

    /// <exception cref="IpcLayerException">The bytes are not a message.</exception>
    public ChannelMessage Decode(byte[] bytes)
    {
        var id = MessageCodec.IdOf(bytes);
        var index = (int)((ulong)id % Size);

        // Decoded under the lock: the pumps of one group send's members run at once and must share one instance.
        ChannelMessage message;
        lock (_lock)
        {
            if (id != 0 && _ids[index] == id && _messages[index] is { } known)
            {
                return known;
            }

            message = MessageCodec.Decode(bytes);
            _ids[index] = id;
            _messages[index] = message;
        }

        return message;
    }
}
