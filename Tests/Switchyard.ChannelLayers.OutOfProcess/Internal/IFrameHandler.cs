namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>What one end does with the frames the other end starts: its calls, its cancels and its posts.</summary>
/// <remarks>Called on the connection's reader thread, in arrival order: a handler must not block on the connection.</remarks>
internal interface IFrameHandler
{
    /// <summary>A call from the other end; answer it with <see cref="FrameConnection.Answer"/> or <see cref="FrameConnection.AnswerError"/>.</summary>
    void OnCall(FrameReader call);

    /// <summary>The other end asks to cancel its call <paramref name="id"/> (which may have been answered already).</summary>
    void OnCancel(long id);

    /// <summary>A one-way notice from the other end.</summary>
    void OnPost(FrameReader post);

    /// <summary>The input ended: at a frame boundary (<paramref name="error"/> null) or because of a read or protocol error.</summary>
    void OnInputEnded(Exception? error);
}
