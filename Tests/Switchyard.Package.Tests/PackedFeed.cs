using System.Reflection;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>
/// The packages as a user makes them: <c>dotnet pack</c> at the repository root on the build this run already made,
/// into a folder that serves as a local NuGet feed. Packed once for every test of the <see cref="PackagesCollection"/>,
/// under a one-off version, so that no package a NuGet cache kept from an earlier pack (of 0.1.0, say) is ever
/// restored instead of this build's.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    private static readonly IReadOnlyDictionary<string, string> Metadata = typeof(PackedFeed).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);

    private readonly string _work = Path.Combine(Path.GetTempPath(), "switchyard-feed-" + Guid.NewGuid().ToString("N"));

    /// <summary>Gets the version every package was packed with.</summary>
    public string Version { get; } = "0.1.0-test." + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Gets the folder holding the packages (.nupkg, and the symbol packages beside them).</summary>
    public string FeedDirectory => Path.Combine(_work, "feed");

    /// <summary>Gets the repository the tests run in.</summary>
    public static string RepositoryRoot => Metadata["RepositoryRoot"];

    /// <summary>Gets the configuration this run was built in (and packed from).</summary>
    public static string Configuration => Metadata["Configuration"];

    /// <summary>Gets the file of the package with id <paramref name="id"/>.</summary>
    /// <param name="id">The package id, such as <c>Switchyard.AspNetCore</c>.</param>
    /// <returns>The path of its .nupkg.</returns>
    public string PackagePath(string id) => Path.Combine(FeedDirectory, $"{id}.{Version}.nupkg");

    /// <summary>
    /// Writes a <c>nuget.config</c> into <paramref name="directory"/> that adds this feed to the machine's sources (the
    /// registry): what a user does to build against a local feed.
    /// </summary>
    /// <param name="directory">The directory of the project or solution.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public Task WriteNuGetConfigAsync(string directory) =>
        File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="switchyard-local" value="{FeedDirectory}" />
              </packageSources>
            </configuration>
            """, TestContext.Current.CancellationToken);

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        // As a user types it at the root (the solution), with the version on the command line.
        var pack = await Dotnet.RunAsync(RepositoryRoot, ["pack", "--no-build", "-c", Configuration, "-o", FeedDirectory, $"-p:PackageVersion={Version}", "-nologo"]);
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack at the repository root failed (exit {pack.ExitCode}):\n{pack.Output}");
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        // Restores that used the machine's NuGet cache kept this one-off version there; leave the machine as it was.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (Directory.Exists(FeedDirectory))
        {
            foreach (var package in Directory.EnumerateFiles(FeedDirectory, $"*.{Version}.nupkg"))
            {
                var id = Path.GetFileName(package)[..^$".{Version}.nupkg".Length];
                var cached = Path.Combine(cache, id.ToLowerInvariant(), Version);
                if (Directory.Exists(cached))
                {
                    Directory.Delete(cached, recursive: true);
                }
            }
        }

        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
