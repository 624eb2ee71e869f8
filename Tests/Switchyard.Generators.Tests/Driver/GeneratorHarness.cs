using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Switchyard.Generators.Tests.Driver;

/// <summary>Runs the generator on source text with the compiler APIs (no testing package is available here).</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return platform
            .Append(typeof(ChannelMessage).Assembly.Location)
            .Append(typeof(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "UserProject",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"File{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(IReadOnlyDictionary<string, string>? buildProperties = null) =>
        CSharpGeneratorDriver.Create(
            [new SwitchyardGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            optionsProvider: new BuildProperties(buildProperties ?? new Dictionary<string, string>()),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator and compiles its output together with the input.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(null, sources);

    /// <summary>Runs the generator with MSBuild properties (<c>build_property.Name</c>) and compiles its output with the input.</summary>
    public static GeneratorRun Run(IReadOnlyDictionary<string, string>? buildProperties, params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver(buildProperties).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics, TestContext.Current.CancellationToken);
        var compileDiagnostics = output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
        return new GeneratorRun(
            driver.GetRunResult(),
            generatorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray(),
            compileDiagnostics,
            generatorDiagnostics.Where(d => d.Severity < DiagnosticSeverity.Warning).ToImmutableArray());
    }

    /// <summary>A run: <see cref="GeneratorDiagnostics"/> are the warnings and errors, <see cref="InfoDiagnostics"/> the rest (SWY0014).</summary>
    public sealed record GeneratorRun(GeneratorDriverRunResult Result, ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<Diagnostic> CompileDiagnostics, ImmutableArray<Diagnostic> InfoDiagnostics)
    {
        public IReadOnlyDictionary<string, string> Sources =>
            Result.Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
    }

    // The MSBuild properties a project makes visible to the compiler (CompilerVisibleProperty), as the build passes them.
    private sealed class BuildProperties(IReadOnlyDictionary<string, string> properties) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
    {
        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions { get; } = new Options(properties);

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options(IReadOnlyDictionary<string, string> properties) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
        {
            public static readonly Options Empty = new(new Dictionary<string, string>());

            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
                properties.TryGetValue(key.StartsWith("build_property.", StringComparison.Ordinal) ? key["build_property.".Length..] : key, out value);
        }
    }
}
