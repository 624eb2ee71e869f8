using System.Collections.Concurrent;

namespace Switchyard.Internal;

/// <summary>
/// A FIFO in fixed-size segments drawn from a shared pool and given back as they empty: a burst never makes one large
/// array (a <see cref="Queue{T}"/> doubles, can reach the large-object heap, and never shrinks), and an empty queue
/// holds no segment at all. Not thread-safe: the owner serialises access.
/// </summary>
internal sealed class SegmentedQueue<T>
{
    private const int SegmentSize = 64;
    private const int MaxPooledSegments = 1024;
    private static readonly ConcurrentQueue<Segment> Pool = new();

    private Segment? _head;
    private Segment? _tail;

    public int Count { get; private set; }

    public void Enqueue(T item)
    {
        if (_tail is null || _tail.End == SegmentSize)
        {
            var segment = Pool.TryDequeue(out var pooled) ? pooled : new Segment();
            if (_tail is null)
            {
                _head = segment;
            }
            else
            {
                _tail.Next = segment;
            }

            _tail = segment;
        }

        _tail.Items[_tail.End++] = item;
        Count++;
    }

    public bool TryPeek(out T item)
    {
        if (Count == 0)
        {
            item = default!;
            return false;
        }

        item = _head!.Items[_head.Start];
        return true;
    }

    public bool TryDequeue(out T item)
    {
        if (!TryPeek(out item))
        {
            return false;
        }

        var head = _head!;
        head.Items[head.Start++] = default!;
        Count--;
        if (head.Start == head.End)
        {
            _head = head.Next;
            if (_head is null)
            {
                _tail = null;
            }

            Return(head);
        }

        return true;
    }

    private static void Return(Segment segment)
    {
        segment.Start = 0;
        segment.End = 0;
        segment.Next = null;
        if (Pool.Count < MaxPooledSegments)
        {
            Pool.Enqueue(segment);
        }
    }

    private sealed class Segment
    {
        public readonly T[] Items = new T[SegmentSize];
        public int Start;
        public int End;
        public Segment? Next;
    }
}
