namespace Switchyard.Server;

/// <summary>What <see cref="WebSocketFrameReader.Read"/> found at the start of the bytes received.</summary>
internal enum WebSocketFrameStep
{
    /// <summary>The frame is not all there yet: read more bytes and call again with them appended.</summary>
    NeedMoreData,

    /// <summary>A non-final data frame was taken into the message being reassembled.</summary>
    FrameDone,

    /// <summary>A control frame (close, ping, pong) was read; it may arrive between a message's fragments.</summary>
    Control,

    /// <summary>A message is complete: take it with <see cref="WebSocketFrameReader.TakeMessage"/>.</summary>
    Message,

    /// <summary>The client broke the protocol or a limit: close with <see cref="WebSocketFrameReader.FailCode"/>.</summary>
    Failed,
}
