namespace Switchyard.Server;

/// <summary>
/// The timestamps of one connection's time limits. On the system clock a timestamp is
/// <see cref="Environment.TickCount64"/> (a memory read, cheap enough to stamp every received read and every queued
/// frame), not a clock_gettime call; another <see cref="TimeProvider"/> (a test's manual clock) is asked directly.
/// </summary>
internal readonly struct WebSocketClock(TimeProvider time)
{
    /// <summary>A timestamp no clock gives: "not set".</summary>
    public const long None = long.MinValue;

    private readonly TimeProvider _time = time;
    private readonly bool _system = ReferenceEquals(time, TimeProvider.System);

    public bool IsSystem => _system;

    public long Now() => _system ? Environment.TickCount64 : _time.GetTimestamp();

    public TimeSpan Elapsed(long from, long to) => _system ? TimeSpan.FromMilliseconds(to - from) : _time.GetElapsedTime(from, to);
}
