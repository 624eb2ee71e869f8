using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Switchyard.Analyzers.Rules;
using Switchyard.Analyzers.Tests.Support;
using Xunit;

namespace Switchyard.Analyzers.Tests;

/// <summary>
/// The corpus under Corpus/: consumer code with known blocking calls (lines marked <c>// BLOCKING</c>) and look-alikes
/// that do not block (<c>// SAFE</c>), analysed by Switchyard's SWY1001/SWY1002 and by vs-threading's VSTHRD002/VSTHRD103
/// (Microsoft.VisualStudio.Threading.Analyzers 18.12.1) on the same compilation. The table is docs/diagnostics/README.md's.
/// </summary>
/// <remarks>
/// Not on the testing packages' verifiers: those assert one analyzer set's exact diagnostics, while this test scores two
/// sets line by line against the markers and compares them; it compiles the corpus in the same <see cref="TestProject"/>.
/// </remarks>
public sealed class CorpusTests
{
    private static readonly string[] SwitchyardBlockingRules = ["SWY1001", "SWY1002"];
    private static readonly string[] VsThreadingBlockingRules = ["VSTHRD002", "VSTHRD103"];

    [Fact]
    public async Task Switchyard_finds_every_known_blocking_call_flags_no_look_alike_and_finds_more_than_vs_threading()
    {
        var compilation = CorpusCompilation();
        var blocking = MarkedLines(compilation, "// BLOCKING");
        var safe = MarkedLines(compilation, "// SAFE");

        var switchyard = await FindingsAsync(compilation, [new BlockingWaitAnalyzer(), new AsyncAlternativeAnalyzer()], SwitchyardBlockingRules);
        var vsThreading = await FindingsAsync(compilation, VsThreadingAnalyzers(), VsThreadingBlockingRules);

        var (ours, theirs) = (Score(switchyard, blocking, safe), Score(vsThreading, blocking, safe));
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"| Analyzer | known blocking calls found (of {blocking.Count}) | look-alikes flagged (of {safe.Count}) | other findings |");
        output?.WriteLine("|---|---:|---:|---:|");
        output?.WriteLine($"| Switchyard SWY1001 + SWY1002 | {ours.Found} | {ours.FalsePositives} | {ours.Other} |");
        output?.WriteLine($"| vs-threading VSTHRD002 + VSTHRD103 | {theirs.Found} | {theirs.FalsePositives} | {theirs.Other} |");
        output?.WriteLine("Missed by Switchyard: " + string.Join(", ", blocking.Except(switchyard.Keys)));
        output?.WriteLine("Missed by vs-threading: " + string.Join(", ", blocking.Except(vsThreading.Keys)));
        output?.WriteLine("Look-alikes flagged by vs-threading: " + string.Join(", ", safe.Intersect(vsThreading.Keys)));
        output?.WriteLine("Other vs-threading findings: " + string.Join(", ", vsThreading.Keys.Where(line => !blocking.Contains(line) && !safe.Contains(line))));

        Assert.True(blocking.Count >= 25 && safe.Count >= 15, $"The corpus has {blocking.Count} blocking calls and {safe.Count} look-alikes.");
        Assert.Equal([], blocking.Except(switchyard.Keys).Select(Describe));
        Assert.Equal([], safe.Intersect(switchyard.Keys).Select(Describe));
        Assert.True(ours.Found > theirs.Found, $"Switchyard found {ours.Found}, vs-threading {theirs.Found}.");
        Assert.True(theirs.Found > 0, "vs-threading found nothing: its analyzers did not run.");

        string Describe((string File, int Line) line) => $"{line.File}:{line.Line} {(switchyard.TryGetValue(line, out var ids) ? string.Join("/", ids) : "-")}";
    }

    private static (int Found, int FalsePositives, int Other) Score(Dictionary<(string File, int Line), List<string>> findings, HashSet<(string File, int Line)> blocking, HashSet<(string File, int Line)> safe) =>
        (findings.Keys.Count(blocking.Contains), findings.Keys.Count(safe.Contains), findings.Keys.Count(line => !blocking.Contains(line) && !safe.Contains(line)));

    private static async Task<Dictionary<(string File, int Line), List<string>>> FindingsAsync(CSharpCompilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, string[] ids)
    {
        var findings = new Dictionary<(string File, int Line), List<string>>();
        foreach (var diagnostic in await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken))
        {
            if (!ids.Contains(diagnostic.Id))
            {
                continue;
            }

            var position = diagnostic.Location.GetLineSpan();
            var key = (Path.GetFileName(position.Path), position.StartLinePosition.Line + 1);
            if (!findings.TryGetValue(key, out var list))
            {
                findings[key] = list = [];
            }

            list.Add(diagnostic.Id);
        }

        return findings;
    }

    private static HashSet<(string File, int Line)> MarkedLines(CSharpCompilation compilation, string marker) =>
    [
        .. compilation.SyntaxTrees.SelectMany(tree => tree.GetText().Lines
            .Where(line => line.ToString().TrimEnd().EndsWith(marker, StringComparison.Ordinal))
            .Select(line => (Path.GetFileName(tree.FilePath), line.LineNumber + 1))),
    ];

    private static CSharpCompilation CorpusCompilation()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Corpus");
        var trees = Directory.GetFiles(directory, "*.cs")
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), new CSharpParseOptions(TestProject.Language), path: path, cancellationToken: TestContext.Current.CancellationToken))
            .ToArray();
        var compilation = CSharpCompilation.Create("Corpus", trees, TestProject.References, TestProject.CompilationOptions);
        var errors = compilation.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "The corpus does not compile: " + string.Join("; ", errors.Select(e => e.ToString())));
        return compilation;
    }

    // vs-threading's analyzers, from the package the build downloaded (not referenced: it would analyse this project).
    private static ImmutableArray<DiagnosticAnalyzer> VsThreadingAnalyzers()
    {
        var package = typeof(CorpusTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "VsThreadingAnalyzers").Value!;
        var loader = new Loader();
        return
        [
            .. Directory.GetFiles(Path.Combine(package, "analyzers", "cs"), "*.dll")
                .SelectMany(path => new AnalyzerFileReference(path, loader).GetAnalyzers(LanguageNames.CSharp)),
        ];
    }

    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
    }
}
