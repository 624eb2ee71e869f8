using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>
/// The public API files (PublicAPI.Shipped.txt, PublicAPI.Unshipped.txt) beside every shipped project are the surface
/// the built assemblies have, and docs/public-api.md's table of counts is the one the files give.
/// </summary>
public sealed partial class PublicApiTests
{
    private static readonly IReadOnlyDictionary<string, string> Metadata = typeof(PublicApiTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);

    private static string Root => Metadata["RepositoryRoot"];

    // Every shipped package: the projects under Runtime/ and Clients/dotnet/ (Directory.Build.props: IsPackable).
    private static IReadOnlyList<string> ShippedProjectDirectories() =>
        [.. new[] { Path.Combine(Root, "Runtime"), Path.Combine(Root, "Clients", "dotnet") }
            .SelectMany(parent => Directory.EnumerateDirectories(parent).Order(StringComparer.Ordinal))
            .Where(d => Directory.EnumerateFiles(d, "*.csproj").Any())];

    public static TheoryData<string, string> BuiltAssemblies()
    {
        var data = new TheoryData<string, string>();
        foreach (var directory in ShippedProjectDirectories())
        {
            data.Add(Path.GetFileName(directory), "net10.0");
        }

        return data;
    }

    [Fact]
    public void The_docs_table_of_public_types_and_symbols_is_the_one_the_API_files_give()
    {
        var expected = ShippedProjectDirectories().Select(d =>
        {
            var lines = ApiLines(d);
            return $"| {Path.GetFileName(d)} | {lines.Count(IsTypeLine)} | {lines.Count} |";
        }).ToList();
        var all = ShippedProjectDirectories().SelectMany(ApiLines).ToList();
        expected.Add($"| **Total** | **{all.Count(IsTypeLine)}** | **{all.Count}** |");

        var doc = File.ReadAllText(Path.Combine(Root, "docs", "public-api.md")).ReplaceLineEndings("\n");
        var table = TableRegex().Match(doc);
        Assert.True(table.Success, "docs/public-api.md has no table between <!-- public-api-counts --> and <!-- /public-api-counts -->.");
        var rows = table.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToList();

        Assert.True(expected.SequenceEqual(rows),
            "docs/public-api.md's counts are stale; the table's rows should be:\n" + string.Join('\n', expected));
    }

    [Fact]
    public void Every_shipped_project_has_both_files_with_nullable_annotations_and_nothing_shipped_yet()
    {
        foreach (var directory in ShippedProjectDirectories())
        {
            var shipped = File.ReadAllLines(Path.Combine(directory, "PublicAPI.Shipped.txt"));
            var unshipped = File.ReadAllLines(Path.Combine(directory, "PublicAPI.Unshipped.txt"));
            Assert.Equal("#nullable enable", shipped.FirstOrDefault());
            Assert.Equal("#nullable enable", unshipped.FirstOrDefault());

            // Version 0.1.0 has not been released: the whole surface is unshipped until it is.
            Assert.True(shipped.Length == 1, $"{directory}/PublicAPI.Shipped.txt lists symbols before any release.");
            Assert.True(unshipped.Length > 1, $"{directory}/PublicAPI.Unshipped.txt lists no symbol.");
        }
    }

    [Theory]
    [MemberData(nameof(BuiltAssemblies))]
    public void The_API_files_name_exactly_the_public_types_of_the_built_assembly(string project, string framework)
    {
        var directory = ShippedProjectDirectories().Single(d => Path.GetFileName(d) == project);
        var assembly = Path.Combine(directory, "bin", Metadata["Configuration"], framework, project + ".dll");
        Assert.True(File.Exists(assembly), $"{assembly} was not built.");

        var declared = ApiLines(directory).Where(IsTypeLine).ToHashSet(StringComparer.Ordinal);
        var built = PublicTypeNames(assembly);

        Assert.True(declared.SetEquals(built),
            $"{project} ({framework}): in the API files only: [{string.Join(", ", declared.Except(built).Order())}]; " +
            $"in the assembly only: [{string.Join(", ", built.Except(declared).Order())}]");
    }

    // The symbols of both files, without the header and blank lines.
    private static List<string> ApiLines(string directory) =>
        [.. new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(f => File.ReadAllLines(Path.Combine(directory, f)))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))];

    // A line that declares a type: the bare (qualified) type name. Members carry " -> " and their type or return type.
    private static bool IsTypeLine(string line) => !line.Contains(" -> ", StringComparison.Ordinal);

    // The public and protected types of an assembly, named as the analyzer names them (Outer.Inner, Name<T>).
    private static HashSet<string> PublicTypeNames(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeDefinitions)
        {
            if (IsVisible(reader, handle))
            {
                names.Add(Name(reader, handle));
            }
        }

        return names;
    }

    private static bool IsVisible(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var visibility = type.Attributes & TypeAttributes.VisibilityMask;
        if (visibility == TypeAttributes.Public)
        {
            return true;
        }

        if (visibility is not (TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem))
        {
            return false;
        }

        var declaring = type.GetDeclaringType();
        var sealedDeclaring = (reader.GetTypeDefinition(declaring).Attributes & TypeAttributes.Sealed) != 0;
        return IsVisible(reader, declaring) && (visibility == TypeAttributes.NestedPublic || !sealedDeclaring);
    }

    private static string Name(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            // Metadata repeats a declaring type's generic parameters on a nested type: its own are the last ones.
            var own = int.Parse(name[(tick + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            var parameters = type.GetGenericParameters().Select(p => reader.GetString(reader.GetGenericParameter(p).Name)).ToList();
            name = $"{name[..tick]}<{string.Join(", ", parameters.Skip(parameters.Count - own))}>";
        }

        var declaring = type.GetDeclaringType();
        return declaring.IsNil ? $"{reader.GetString(type.Namespace)}.{name}" : $"{Name(reader, declaring)}.{name}";
    }

    [GeneratedRegex(@"<!-- public-api-counts -->\n(.*?)<!-- /public-api-counts -->", RegexOptions.Singleline)]
    private static partial Regex TableRegex();
}
