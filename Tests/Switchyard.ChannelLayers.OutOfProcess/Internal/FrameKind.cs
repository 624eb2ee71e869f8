namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>What a frame is. Both ends send every kind; calls carry an id that their answer and a cancel repeat.</summary>
internal enum FrameKind : byte
{
    /// <summary>A request that is answered by <see cref="Result"/> or <see cref="Error"/> with the same id.</summary>
    Call = 1,

    /// <summary>The successful answer to a call.</summary>
    Result = 2,

    /// <summary>The failed answer to a call: an encoded exception.</summary>
    Error = 3,

    /// <summary>Asks the other end to cancel the call with this id; the call is still answered.</summary>
    Cancel = 4,

    /// <summary>A one-way notice (time, metrics, connection changes, forwarder detach): never answered.</summary>
    Post = 5,
}
