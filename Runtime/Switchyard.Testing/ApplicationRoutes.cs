using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;

namespace Switchyard.Testing;

/// <summary>
/// Registers the route tables of the application assemblies a test process has not used yet. A generated route table
/// registers itself in its assembly's module initializer, which runs when the assembly's code is first used; a test
/// project that references the app and asks a communicator for a route before touching any of the app's types would
/// otherwise find no routes. Once, and only when a path matched no registered route: every assembly beside the test
/// (<see cref="AppContext.BaseDirectory"/>) that references <c>Switchyard</c> is loaded and its module initializer run.
/// </summary>
internal static class ApplicationRoutes
{
    private static readonly Lazy<bool> Loaded = new(LoadAll);

    /// <summary>Registers the routes of the application assemblies beside the test; <see langword="true"/> once done.</summary>
    public static bool EnsureLoaded() => Loaded.Value;

    private static bool LoadAll()
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .Select(a => a.GetName().Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var path in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (loaded.Contains(name) || !ReferencesSwitchyard(path))
            {
                continue;
            }

            Assembly assembly;
            try
            {
                assembly = Assembly.Load(AssemblyName.GetAssemblyName(path));
            }
            catch (Exception e) when (e is FileLoadException or FileNotFoundException or BadImageFormatException)
            {
                continue; // not loadable in this process (another version already loaded, a missing dependency): no routes of ours
            }

            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }

        return true;
    }

    // Reads the assembly's references from its metadata without loading it (the test's other dependencies stay unloaded).
    private static bool ReferencesSwitchyard(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var metadata = pe.GetMetadataReader();
            return metadata.AssemblyReferences.Any(handle =>
                metadata.StringComparer.Equals(metadata.GetAssemblyReference(handle).Name, "Switchyard"));
        }
        catch (BadImageFormatException)
        {
            return false; // a native library beside the test
        }
    }
}
