namespace Switchyard.LoadBench;

/// <summary>
/// A log-linear histogram of latencies in nanoseconds (128 linear buckets per power of two, so a percentile is
/// within 1 % of the true value). Recording is thread-safe and allocation-free.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 7;
    private const int SubCount = 1 << SubBits;
    private const int MaxExponent = 44; // about 4.9 hours in ns

    private readonly long[] counts = new long[(MaxExponent - SubBits + 2) * SubCount];
    private long max;
    private long total;

    public long Count => Volatile.Read(ref total);

    public long Max => Volatile.Read(ref max);

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        Interlocked.Increment(ref counts[Index(nanoseconds)]);
        Interlocked.Increment(ref total);
        var seen = Volatile.Read(ref max);
        while (nanoseconds > seen)
        {
            var previous = Interlocked.CompareExchange(ref max, nanoseconds, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }
    }

    /// <summary>The value at or below which <paramref name="percentile"/> % of the recorded values lie (0 if none).</summary>
    public long Percentile(double percentile)
    {
        var n = Count;
        if (n == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * n);
        rank = Math.Clamp(rank, 1, n);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += Volatile.Read(ref counts[i]);
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Max);
            }
        }

        return Max;
    }

    private static int Index(long value)
    {
        if (value < SubCount)
        {
            return (int)value;
        }

        var exponent = 63 - (int)long.LeadingZeroCount(value);
        if (exponent > MaxExponent)
        {
            exponent = MaxExponent;
            value = (1L << (MaxExponent + 1)) - 1;
        }

        var sub = (int)(value >> (exponent - SubBits)) & (SubCount - 1);
        return ((exponent - SubBits + 1) * SubCount) + sub;
    }

    private static long UpperBound(int index)
    {
        if (index < SubCount)
        {
            return index;
        }

        var exponent = (index / SubCount) + SubBits - 1;
        var sub = index % SubCount;
        var shift = exponent - SubBits;
        return ((long)(SubCount + sub + 1) << shift) - 1;
    }
}
