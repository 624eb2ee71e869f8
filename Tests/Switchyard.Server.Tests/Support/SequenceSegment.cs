using System.Buffers;

namespace Switchyard.Server.Tests.Support;

/// <summary>One segment of a <see cref="ReadOnlySequence{T}"/> built in a test; more can be appended after it.</summary>
internal sealed class SequenceSegment : ReadOnlySequenceSegment<byte>
{
    public SequenceSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public SequenceSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new SequenceSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
