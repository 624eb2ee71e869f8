using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Switchyard.Generators.Benchmarks;

/// <summary>
/// What <see cref="SwitchyardGenerator"/> costs the compiler on a project of 200 messages and 200 consumers
/// (<see cref="SyntheticProject"/>): a full run on a fresh driver, and an incremental run after an edit to a file
/// the generator has no interest in.
/// </summary>
/// <remarks>
/// <para>Parsing is not the generator's cost, so the syntax trees are parsed once in <see cref="Setup"/>. Everything
/// else is new in every invocation: <c>FullRun</c> creates a new <see cref="CSharpCompilation"/> (no symbol bound
/// yet, as in a command-line build) and a new driver, then runs it. <c>IncrementalRun</c> starts from a driver that
/// has run on the project (a <see cref="GeneratorDriver"/> is immutable, so every invocation starts from the same
/// state), replaces the unrelated tree with an edited one in a new compilation, as an IDE does on a keystroke, and
/// runs it. The construction costs microseconds next to the milliseconds measured (a compilation binds nothing
/// until asked).</para>
/// <para><c>_Baseline</c> runs <see cref="FloorGenerator"/> the same way: the same attribute lookups with nothing
/// parsed or written, the part of the cost that comes with <c>ForAttributeWithMetadataName</c> itself.</para>
/// <para>Setup checks the work is real: the full run writes 401 files (200 + 200 + the route table), the output
/// compiles without errors, and after the edit every named step of the generator and every output is cached or
/// unchanged. (Roslyn still runs the parse transforms again on the new compilation, since
/// <c>ForAttributeWithMetadataName</c> pairs each file's nodes with the compilation; their results compare equal, so
/// nothing downstream of them runs and no file is written again.)</para>
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 6, iterationCount: 30)]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);
    private static readonly CSharpCompilationOptions CompilationOptions = new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    private MetadataReference[] _references = null!;
    private ImmutableArray<SyntaxTree> _trees;
    private SyntaxTree _unrelated = null!;
    private SyntaxTree _unrelatedEdited = null!;
    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _ranDriver = null!;
    private GeneratorDriver _ranFloorDriver = null!;

    /// <summary>Parses the project, runs the generator once on it and checks what it wrote.</summary>
    [GlobalSetup]
    public void Setup()
    {
        // The references GeneratorHarness uses: the platform, the Switchyard runtime and DI abstractions.
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        _references = platform
            .Append(typeof(ChannelMessage).Assembly.Location)
            .Append(typeof(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
        _trees = SyntheticProject.Files().Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, path: f.Path)).ToImmutableArray();
        _unrelated = _trees[^1];
        _unrelatedEdited = CSharpSyntaxTree.ParseText(SyntheticProject.Unrelated(1), ParseOptions, path: _unrelated.FilePath);
        _compilation = NewCompilation();
        _ranDriver = CreateDriver(track: false).RunGenerators(_compilation);
        _ranFloorDriver = CreateFloorDriver().RunGenerators(_compilation);

        CheckFullRun();
        CheckIncrementalRun();
    }

    /// <summary>A new compilation and a new driver, run once.</summary>
    /// <returns>The driver after the run.</returns>
    [Benchmark]
    [BenchmarkCategory("Full")]
    public GeneratorDriver FullRun_Switchyard() => CreateDriver(track: false).RunGenerators(NewCompilation());

    /// <summary>The same with <see cref="FloorGenerator"/>: what finding the attributed declarations costs on its own.</summary>
    /// <returns>The driver after the run.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Full")]
    public GeneratorDriver FullRun_Baseline() => CreateFloorDriver().RunGenerators(NewCompilation());

    /// <summary>The driver that has run on the project, run again on a compilation where one unrelated file changed.</summary>
    /// <returns>The driver after the run.</returns>
    [Benchmark]
    [BenchmarkCategory("Incremental")]
    public GeneratorDriver IncrementalRun_Switchyard() => _ranDriver.RunGenerators(_compilation.ReplaceSyntaxTree(_unrelated, _unrelatedEdited));

    /// <summary>The same with <see cref="FloorGenerator"/>.</summary>
    /// <returns>The driver after the run.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Incremental")]
    public GeneratorDriver IncrementalRun_Baseline() => _ranFloorDriver.RunGenerators(_compilation.ReplaceSyntaxTree(_unrelated, _unrelatedEdited));

    private CSharpCompilation NewCompilation() => CSharpCompilation.Create("SyntheticProject", _trees, _references, CompilationOptions);

    private static GeneratorDriver CreateFloorDriver() =>
        CSharpGeneratorDriver.Create(
            [new FloorGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    private static GeneratorDriver CreateDriver(bool track) =>
        CSharpGeneratorDriver.Create(
            [new SwitchyardGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    private void CheckFullRun()
    {
        var result = _ranDriver.GetRunResult().Results.Single();
        var expected = SyntheticProject.Messages + SyntheticProject.Consumers + 1;
        Require(result.Exception is null, $"The generator threw: {result.Exception}");
        Require(result.GeneratedSources.Length == expected, $"The generator wrote {result.GeneratedSources.Length} files, not {expected}.");
        Require(result.Diagnostics.IsEmpty, $"The generator reported: {string.Join("; ", result.Diagnostics)}");
        CreateDriver(track: false).RunGeneratorsAndUpdateCompilation(NewCompilation(), out var output, out _);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Take(5).ToArray();
        Require(errors.Length == 0, $"The generated project does not compile: {string.Join("; ", errors.Select(e => e.ToString()))}");
    }

    private void CheckIncrementalRun()
    {
        var driver = CreateDriver(track: true).RunGenerators(_compilation);
        driver = driver.RunGenerators(_compilation.ReplaceSyntaxTree(_unrelated, _unrelatedEdited));
        var result = driver.GetRunResult().Results.Single();
        // Roslyn's own steps re-run (ForAttributeWithMetadataName pairs each tree's nodes with the new compilation and
        // runs the parse transforms again); the generator's named steps and its outputs must all compare equal.
        string[] named = [StepNames.Messages, StepNames.MessageSpecs, StepNames.Consumers, StepNames.ConsumerSpecs, StepNames.RouteTable];
        Require(named.All(result.TrackedSteps.ContainsKey), "A named step of the generator was not tracked.");
        var redone = result.TrackedSteps.Where(steps => named.Contains(steps.Key)).Concat(result.TrackedOutputSteps)
            .SelectMany(steps => steps.Value.SelectMany(step => step.Outputs).Select(output => (Step: steps.Key, output.Reason)))
            .Where(output => output.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
            .GroupBy(output => $"{output.Step} {output.Reason}")
            .Select(g => $"{g.Key} x{g.Count()}")
            .ToArray();
        Require(redone.Length == 0, $"After an unrelated edit, step outputs were recomputed: {string.Join(", ", redone)}");
        Require(result.GeneratedSources.Length == SyntheticProject.Messages + SyntheticProject.Consumers + 1, "The incremental run lost files.");
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException(problem);
        }
    }
}
