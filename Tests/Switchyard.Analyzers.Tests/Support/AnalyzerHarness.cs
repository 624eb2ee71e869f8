using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Switchyard.Analyzers.Tests.Support;

/// <summary>
/// Runs analyzers and code fixes on source text with the compiler APIs (the Roslyn testing packages are not in this
/// registry). Expected diagnostics are marked in the source with <c>[|...|]</c>.
/// </summary>
internal static partial class AnalyzerHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(Consumer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
    ]);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Asserts that <paramref name="analyzer"/> reports <paramref name="id"/> exactly at the marked spans.</summary>
    public static async Task VerifyAsync(string markedSource, DiagnosticAnalyzer analyzer, string id, params (string Path, string Text)[] additionalFiles)
    {
        var (source, expected) = ParseMarkup(markedSource);
        var diagnostics = await AnalyzeAsync(source, [analyzer], additionalFiles);
        var actual = diagnostics.Where(d => d.Id == id).Select(d => d.Location.SourceSpan).OrderBy(s => s.Start).ToArray();
        Assert.True(
            expected.SequenceEqual(actual),
            $"Expected {id} at [{Describe(source, expected)}] but got [{Describe(source, actual)}].");
    }

    /// <summary>Compiles <paramref name="source"/> (it must have no compiler errors) and runs the analyzers on it.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, ImmutableArray<DiagnosticAnalyzer> analyzers, params (string Path, string Text)[] additionalFiles)
    {
        var compilation = Compile(source);
        var errors = compilation.GetDiagnostics(Ct).Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "The test source does not compile: " + string.Join("; ", errors.Select(e => e.ToString())));
        var options = new AnalyzerOptions([.. additionalFiles.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text))]);
        return await compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync(Ct);
    }

    /// <summary>Applies the first fix offered for the first <paramref name="id"/> diagnostic, until none is left; returns the new text, which must compile.</summary>
    public static async Task<string> FixAsync(string source, DiagnosticAnalyzer analyzer, CodeFixProvider fix, string id)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("Test", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .AddMetadataReferences(References.Value);
        var document = project.AddDocument("Test.cs", SourceText.From(source));
        for (var round = 0; round < 20; round++)
        {
            // The first diagnostic (in source order) that has a fix gets its first fix; then analyse again.
            var compilation = (await document.Project.GetCompilationAsync(Ct))!;
            var diagnostics = (await compilation.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync(Ct))
                .Where(d => d.Id == id).OrderBy(d => d.Location.SourceSpan.Start);
            CodeAction? first = null;
            foreach (var diagnostic in diagnostics)
            {
                var actions = new List<CodeAction>();
                await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), Ct));
                if (actions.Count > 0)
                {
                    first = actions[0];
                    break;
                }
            }

            if (first is null)
            {
                break;
            }

            var operations = await first.GetOperationsAsync(Ct);
            document = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        }

        var text = (await document.GetTextAsync(Ct)).ToString();
        var errors = Compile(text).GetDiagnostics(Ct).Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "The fixed source does not compile: " + string.Join("; ", errors.Select(e => e.ToString())) + "\n" + text);
        return text;
    }

    public static CSharpCompilation Compile(string source) =>
        CSharpCompilation.Create(
            "Test",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Test.cs", cancellationToken: Ct)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static (string Source, TextSpan[] Spans) ParseMarkup(string marked)
    {
        var spans = new List<TextSpan>();
        var source = new System.Text.StringBuilder();
        var open = new Stack<int>();
        for (var i = 0; i < marked.Length; i++)
        {
            if (marked.AsSpan(i).StartsWith("[|"))
            {
                open.Push(source.Length);
                i++;
            }
            else if (marked.AsSpan(i).StartsWith("|]"))
            {
                var start = open.Pop();
                spans.Add(TextSpan.FromBounds(start, source.Length));
                i++;
            }
            else
            {
                source.Append(marked[i]);
            }
        }

        return (source.ToString(), [.. spans.OrderBy(s => s.Start)]);
    }

    private static string Describe(string source, IEnumerable<TextSpan> spans) =>
        string.Join(", ", spans.Select(s => $"{Line(source, s.Start)}: '{Newlines().Replace(source.Substring(s.Start, s.Length), " ")}'"));

    private static int Line(string source, int position) => source.Take(position).Count(c => c == '\n') + 1;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Newlines();

    private sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
