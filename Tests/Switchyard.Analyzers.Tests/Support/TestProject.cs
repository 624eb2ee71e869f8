using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace Switchyard.Analyzers.Tests.Support;

/// <summary>
/// The project test sources compile in: a library in C# latest with nullable reference types, against the .NET
/// reference assemblies this test project compiles against, Switchyard and Microsoft.Extensions.Logging.Abstractions
/// (what a consumer project references).
/// </summary>
internal static class TestProject
{
    /// <summary>The language version test sources are parsed with.</summary>
    public const LanguageVersion Language = LanguageVersion.Latest;

    // No package to resolve: the testing packages' own sets (ReferenceAssemblies.Net.*) download a reference pack from
    // NuGet when a test first runs; References brings the same assemblies from the SDK, offline.
    private static readonly ReferenceAssemblies EmptyReferenceAssemblies = new("net10.0");

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(() =>
    [
        .. Directory.GetFiles(NetCoreAppReferenceAssemblies(), "*.dll").Order(StringComparer.Ordinal).Select(path => MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(Consumer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
    ]);

    /// <summary>The assemblies test sources compile against.</summary>
    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>The compilation options of test sources: a library with nullable reference types enabled.</summary>
    public static CSharpCompilationOptions CompilationOptions { get; } =
        new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    /// <summary>
    /// Sets up an analyzer or code-fix test to compile its sources in this project. Compiler warnings are verified
    /// with the analyzer's diagnostics, so a test source marks the ones it has, and a fixed source may have none.
    /// </summary>
    /// <param name="test">The test to set up.</param>
    public static void Configure(AnalyzerTest<DefaultVerifier> test)
    {
        test.ReferenceAssemblies = EmptyReferenceAssemblies;
        test.TestState.AdditionalReferences.AddRange(References);
        test.CompilerDiagnostics = CompilerDiagnostics.Warnings;
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            var compilationOptions = ((CSharpCompilationOptions)project.CompilationOptions!).WithNullableContextOptions(CompilationOptions.NullableContextOptions);

            // Documentation comments parsed as in a build without a documentation file: the packages' default
            // (Diagnose) reports CS1591 on every public type of the test sources.
            var parseOptions = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(Language).WithDocumentationMode(DocumentationMode.Parse);
            return solution.WithProjectCompilationOptions(projectId, compilationOptions).WithProjectParseOptions(projectId, parseOptions);
        });
    }

    // The folder the build resolved Microsoft.NETCore.App's reference assemblies from (the csproj records it).
    private static string NetCoreAppReferenceAssemblies() =>
        typeof(TestProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NetCoreAppReferenceAssemblies").Value!;
}
