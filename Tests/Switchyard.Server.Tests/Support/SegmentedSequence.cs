using System.Buffers;

namespace Switchyard.Server.Tests.Support;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> of several segments, as a pipe hands over bytes from several reads.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(IReadOnlyList<ReadOnlyMemory<byte>> segments)
    {
        if (segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new SequenceSegment(segments[0], 0);
        var last = first;
        for (var i = 1; i < segments.Count; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="bytes"/> into segments of the given sizes (the last takes the rest).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] sizes) => Create(Chunks.Split(bytes, sizes));
}
