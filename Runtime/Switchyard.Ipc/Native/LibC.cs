using System.Runtime.InteropServices;

namespace Switchyard.Ipc.Native;

/// <summary>
/// The few POSIX calls .NET has no API for: <c>flock(2)</c>, the lock the kernel releases when its process dies, which
/// is what makes a killed process unable to wedge the others, and the user id.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static partial class LibC
{
    public const int LockShared = 1;
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;
    public const int Unlock = 8;

    /// <summary>EWOULDBLOCK (= EAGAIN) on Linux.</summary>
    public const int WouldBlock = 11;

    /// <summary>EINTR.</summary>
    public const int Interrupted = 4;

    /// <summary>The effective user id (the default directory is per user).</summary>
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    private const int OpenReadWrite = 2;
    private const int OpenCreate = 0x40;
    private const int OpenCloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenCore(string path, int flags, int mode);

    /// <summary>
    /// Opens (or makes, 0600) a lock file with <c>open(2)</c>. Not through <see cref="FileStream"/>: .NET emulates
    /// <see cref="FileShare"/> with a <c>flock</c> of its own on the handles it opens, which the layer's locks on the
    /// same file would turn into "file in use" errors in other processes.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenLockFile(string path)
    {
        while (true)
        {
            var fd = OpenCore(path, OpenReadWrite | OpenCreate | OpenCloseOnExec, 0b110_000_000);
            if (fd >= 0)
            {
                return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
            }

            var error = Marshal.GetLastPInvokeError();
            if (error != Interrupted)
            {
                throw new IOException($"Cannot open '{path}': {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockCore(int fd, int operation);

    /// <summary>Runs <c>flock</c>, going again when a signal interrupted a blocking wait.</summary>
    /// <returns><see langword="true"/> when the lock was taken (or released); <see langword="false"/> when a non-blocking attempt found it held.</returns>
    /// <exception cref="IOException">Any other failure.</exception>
    public static bool Flock(SafeHandle file, int operation)
    {
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            var fd = (int)file.DangerousGetHandle();
            while (true)
            {
                if (FlockCore(fd, operation) == 0)
                {
                    return true;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == Interrupted)
                {
                    continue;
                }

                if (error == WouldBlock && (operation & LockNonBlocking) != 0)
                {
                    return false;
                }

                throw new IOException($"flock failed: {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }
}
