namespace Switchyard.Redis.Tests.Support;

/// <summary>Finds an executable of this repository built next to the test output (same configuration, net10.0).</summary>
internal static class BuildOutput
{
    /// <summary>Returns the path of <paramref name="assembly"/> in <paramref name="projectFolder"/>'s build output.</summary>
    /// <param name="projectFolder">The project's folder from the repository root, such as <c>Samples/Chat</c>.</param>
    /// <param name="assembly">The assembly file, such as <c>Chat.dll</c>.</param>
    /// <returns>The path.</returns>
    /// <exception cref="InvalidOperationException">It is not built.</exception>
    public static string Find(string projectFolder, string assembly)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
        {
            directory = directory.Parent;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var path = directory is null ? null : Path.Combine([directory.FullName, .. projectFolder.Split('/'), "bin", configuration, "net10.0", assembly]);
        return path is not null && File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{assembly} is not built at {path}; build the solution first.");
    }
}
