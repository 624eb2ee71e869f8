using System.Buffers;

namespace Switchyard.Client.Internal;

/// <summary>One frame to send: its UTF-8 JSON in a rented array, and the request that waits for its answer, if any.</summary>
internal sealed class OutgoingFrame
{
    private byte[]? _rented;

    public OutgoingFrame(byte[] rented, int length, PendingRequest? request)
    {
        _rented = rented;
        Length = length;
        Request = request;
    }

    public int Length { get; }

    public PendingRequest? Request { get; }

    public ReadOnlyMemory<byte> Memory => _rented.AsMemory(0, Length);

    /// <summary>Gets whether nobody waits for this frame any more (its request timed out or was cancelled while it was queued).</summary>
    public bool IsAbandoned => Request is { IsCompleted: true };

    /// <summary>Returns the array to the pool; once.</summary>
    public void Return()
    {
        var rented = Interlocked.Exchange(ref _rented, null);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
