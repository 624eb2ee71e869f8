namespace Switchyard.Client.Internal;

/// <summary>Exponential backoff with full jitter: attempt n waits uniformly in [0, min(max, initial × factor^n)).</summary>
internal static class Backoff
{
    public static TimeSpan Delay(SwitchyardReconnectOptions options, int attempt, Func<double> jitter)
    {
        var cap = Math.Min(options.MaxDelay.TotalMilliseconds, options.InitialDelay.TotalMilliseconds * Math.Pow(options.Factor, Math.Min(attempt, 64)));
        var random = Math.Clamp(jitter(), 0, 1);
        return TimeSpan.FromMilliseconds(cap * random);
    }
}
