using System.Diagnostics;

// Durations in seconds, and their quantiles.
internal sealed class Samples
{
    private readonly List<double> _values = [];
    private bool _sorted;

    public int Count => _values.Count;

    public double Max => Quantile(1);

    public void Add(double seconds)
    {
        _values.Add(seconds);
        _sorted = false;
    }

    public void AddSeconds(IEnumerable<double> seconds)
    {
        foreach (var value in seconds)
        {
            Add(value);
        }
    }

    public void AddTicks(IEnumerable<long> ticks)
    {
        foreach (var tick in ticks)
        {
            Add((double)tick / Stopwatch.Frequency);
        }
    }

    public Samples Merge(Samples other)
    {
        var merged = new Samples();
        merged._values.AddRange(_values);
        merged._values.AddRange(other._values);
        return merged;
    }

    public double Quantile(double share)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }

        if (!_sorted)
        {
            _values.Sort();
            _sorted = true;
        }

        return _values[Math.Min(_values.Count - 1, (int)(share * _values.Count))];
    }
}
