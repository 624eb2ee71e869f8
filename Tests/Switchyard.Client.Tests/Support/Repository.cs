namespace Switchyard.Client.Tests.Support;

/// <summary>Where the repository is, found from the test's output directory.</summary>
public static class Repository
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Switchyard.slnx not found above the test's directory.");
    }
}
