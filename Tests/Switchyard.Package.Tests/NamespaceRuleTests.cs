using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>
/// The namespace rule of the shipped packages (docs/public-api.md, "Namespaces"): every folder is one namespace —
/// the package's own (a concept folder) or the package's plus the folder's path (a part with a namespace of its own) —
/// and registration and mapping extension classes (<c>*Extensions.cs</c> at a package's root) live where ASP.NET
/// Core puts its own (<c>Microsoft.Extensions.DependencyInjection</c>, <c>Microsoft.AspNetCore.Builder</c>).
/// </summary>
public sealed partial class NamespaceRuleTests
{
    // Where registration and mapping extensions go, as ASP.NET Core's own do: a Program.cs has these usings already.
    private static readonly HashSet<string> ExtendedNamespaces = ["Microsoft.AspNetCore.Builder", "Microsoft.Extensions.DependencyInjection"];

    private static string Root => typeof(NamespaceRuleTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static TheoryData<string> ShippedProjects() =>
        [.. new[] { Path.Combine(Root, "Runtime"), Path.Combine(Root, "Clients", "dotnet") }
            .SelectMany(parent => Directory.EnumerateDirectories(parent).Order(StringComparer.Ordinal))
            .Where(d => Directory.EnumerateFiles(d, "*.csproj").Any())
            .Select(d => Path.GetRelativePath(Root, d))];

    [Theory]
    [MemberData(nameof(ShippedProjects))]
    public void Every_folder_of_a_package_is_one_namespace_that_its_path_names(string project)
    {
        var directory = Path.Combine(Root, project);
        var package = Path.GetFileName(directory);
        var problems = new List<string>();
        var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(directory, f)));
        foreach (var folder in files.GroupBy(f => Path.GetRelativePath(directory, Path.GetDirectoryName(f)!)))
        {
            var own = folder.Key == "." ? package : $"{package}.{folder.Key.Replace(Path.DirectorySeparatorChar, '.')}";
            var namespaces = new HashSet<string>();
            foreach (var file in folder)
            {
                if (NamespaceOf(file) is not { } name)
                {
                    continue; // assembly attributes only
                }

                if (file.EndsWith("Extensions.cs", StringComparison.Ordinal) && folder.Key == "." && ExtendedNamespaces.Contains(name))
                {
                    continue;
                }

                namespaces.Add(name);
            }

            if (namespaces.Count > 1 || (namespaces.Count == 1 && namespaces.Single() != package && namespaces.Single() != own))
            {
                problems.Add($"{project}/{folder.Key}: {string.Join(", ", namespaces.Order())} (expected {package} or {own})");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static bool IsBuildOutput(string relative) =>
        relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
        || relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string? NamespaceOf(string file) =>
        NamespaceLine().Match(File.ReadAllText(file)) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"^namespace ([A-Za-z0-9_.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
