using System.Runtime.CompilerServices;

namespace Switchyard.ChannelLayers.OutOfProcess.Internal;

/// <summary>
/// In the layer host: the forwarder attached to the host's layer on behalf of a forwarder in the parent. Every offer is a
/// round trip to the parent's forwarder, so it decides (its message types, its full state); a wait for room is a
/// cancellable call that ends when the parent's forwarder has room.
/// </summary>
/// <remarks>
/// <see cref="IChannelForwarder.Forward"/> is synchronous, so the offer blocks its thread until the parent answers (the
/// connection's reader is a dedicated thread, so the answer gets in). A layer hands one message instance to every
/// forwarder of a group send; the instance's id travels with it, and the parent hands its forwarders one instance per id,
/// so a frame made from it is still encoded once in the process.
/// </remarks>
internal sealed class RemoteForwarder(FrameConnection connection, long attachment) : IChannelForwarder
{
    /// <summary>How long an offer waits for the parent's answer before the message counts as dropped.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private static readonly ConditionalWeakTable<ChannelMessage, object> MessageIds = [];
    private static long s_nextMessageId;

    public ForwardOutcome Forward(ChannelMessage message, bool mayWait)
    {
        var id = (long)MessageIds.GetValue(message, static _ => Interlocked.Increment(ref s_nextMessageId));
        var answer = connection.CallAsync(
            Operation.Forward,
            frame =>
            {
                frame.WriteInt64(attachment);
                frame.WriteInt64(id);
                frame.WriteMessage(message);
                frame.WriteBoolean(mayWait);
            },
            CancellationToken.None);
        try
        {
            if (!answer.Wait(AnswerTimeout))
            {
                Console.Error.WriteLine($"layer host: the parent did not answer a forward within {AnswerTimeout.TotalSeconds} s; the message counts as dropped.");
                return ForwardOutcome.Dropped;
            }

            return (ForwardOutcome)answer.Result.ReadByte();
        }
        catch (AggregateException ex)
        {
            // The parent has gone (or its forwarder threw): nobody can take the message.
            Console.Error.WriteLine($"layer host: a forward failed: {ex.InnerException?.Message}");
            return ForwardOutcome.Dropped;
        }
    }

    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken) =>
        await connection.CallAsync(Operation.WaitForRoom, frame => frame.WriteInt64(attachment), cancellationToken, abandonOnCancel: true).ConfigureAwait(false);
}
