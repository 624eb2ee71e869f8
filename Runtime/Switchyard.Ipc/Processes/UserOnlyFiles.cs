namespace Switchyard.Ipc.Processes;

/// <summary>
/// The layer's files are the user's alone: its directory 0700 (made so, or tightened if the user made it looser), every
/// file in it 0600. Other users on the machine cannot open the segment, so messages are not encrypted.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class UserOnlyFiles
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <exception cref="IpcLayerException">The directory exists and cannot be made user-only (another user owns it).</exception>
    public static void CreateDirectory(string directory)
    {
        Directory.CreateDirectory(directory, DirectoryMode);
        if ((File.GetUnixFileMode(directory) & ~DirectoryMode) != 0)
        {
            try
            {
                File.SetUnixFileMode(directory, DirectoryMode);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new IpcLayerException($"The IPC layer's directory '{directory}' is open to other users and belongs to someone else; use IpcChannelLayerOptions.Directory to name one of your own.", ex);
            }
        }
    }

    /// <summary>Opens (or makes, 0600) a file for reading and writing, shared with the other processes.</summary>
    public static FileStream Open(string path) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
            UnixCreateMode = FileMode600,
        });
}
