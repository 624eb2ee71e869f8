using Microsoft.Win32.SafeHandles;
using Switchyard.Ipc.Native;

namespace Switchyard.Ipc.Processes;

/// <summary>
/// Whether the process in a slot of the process table is alive: it holds an exclusive <c>flock</c> on its slot's
/// liveness file for as long as it lives, and the kernel releases it when the process dies, however it dies. A probe
/// that can take the lock has found the slot's process gone. (Process ids are not used: they are reused.)
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ProcessLiveness(string directory, string name)
{
    /// <summary>The liveness file of <paramref name="slot"/>.</summary>
    public string PathOf(int slot) => Path.Combine(directory, $"{name}.{slot}.alive");

    /// <summary>Takes <paramref name="slot"/>'s liveness lock for this process, or null when another live process holds it.</summary>
    public SafeFileHandle? TryHold(int slot)
    {
        var file = Open(slot);
        if (LibC.Flock(file, LibC.LockExclusive | LibC.LockNonBlocking))
        {
            return file;
        }

        file.Dispose();
        return null;
    }

    /// <summary>Whether a live process holds <paramref name="slot"/>'s liveness lock.</summary>
    public bool IsHeld(int slot)
    {
        using var file = Open(slot);
        if (LibC.Flock(file, LibC.LockExclusive | LibC.LockNonBlocking))
        {
            LibC.Flock(file, LibC.Unlock);
            return false;
        }

        return true;
    }

    private SafeFileHandle Open(int slot) => LibC.OpenLockFile(PathOf(slot));
}
