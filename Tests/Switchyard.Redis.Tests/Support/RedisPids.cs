using System.Globalization;

namespace Switchyard.Redis.Tests.Support;

/// <summary>
/// The redis-server processes a fixture has running, recorded as files in the directory SWITCHYARD_REDIS_PIDS names:
/// test.sh stops whatever a crashed run left behind.
/// </summary>
internal static class RedisPids
{
    private static string? Directory => Environment.GetEnvironmentVariable("SWITCHYARD_REDIS_PIDS") is { Length: > 0 } pids && System.IO.Directory.Exists(pids) ? pids : null;

    public static async Task RecordAsync(int pid, string description)
    {
        if (Directory is { } directory)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, pid.ToString(CultureInfo.InvariantCulture)), description);
        }
    }

    /// <summary>Forgets a process the fixture stopped itself, so that test.sh does not signal a pid the system has reused.</summary>
    public static void Forget(int pid)
    {
        if (Directory is { } directory)
        {
            File.Delete(Path.Combine(directory, pid.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
