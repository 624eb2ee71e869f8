namespace Switchyard.Package.Tests;

/// <summary>A directory of one test's own under the temporary folder, deleted with all it holds when disposed.</summary>
/// <param name="name">A word in the directory's name, to tell whose it is.</param>
internal sealed class ScratchDirectory(string name) : IDisposable
{
    /// <summary>Gets the directory's path (not created: the test's first write makes it).</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"switchyard-{name}-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
