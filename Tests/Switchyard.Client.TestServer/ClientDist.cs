namespace Switchyard.Client.TestServer;

/// <summary>Where the built TypeScript client is: <c>Clients/typescript/dist</c> of the repository this server was built in.</summary>
internal static class ClientDist
{
    /// <summary>Returns the folder (which may not exist yet: the caller says what to run then).</summary>
    /// <exception cref="InvalidOperationException">No Switchyard.slnx above this assembly.</exception>
    public static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
        {
            directory = directory.Parent;
        }

        return directory is null
            ? throw new InvalidOperationException($"No Switchyard.slnx above {AppContext.BaseDirectory}; pass --client-dist <Clients/typescript/dist>.")
            : Path.Combine(directory.FullName, "Clients", "typescript", "dist");
    }
}
