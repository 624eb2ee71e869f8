using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Switchyard.Analyzers.Tests.Support;

/// <summary>
/// Verifies <typeparamref name="TAnalyzer"/> and its code fix <typeparamref name="TCodeFix"/> on C# source in the
/// <see cref="TestProject"/>: the diagnostics marked in the source, then the exact text after fixing them one at a time
/// and with Fix All (document, project, solution), which must compile and leave no diagnostic of the rule.
/// </summary>
/// <typeparam name="TAnalyzer">The analyzer whose diagnostics are fixed.</typeparam>
/// <typeparam name="TCodeFix">The code fix under test.</typeparam>
internal static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>A result for the analyzer's one rule.</summary>
    /// <returns>The expected diagnostic, to be given a location.</returns>
    public static DiagnosticResult Diagnostic() => CSharpCodeFixVerifier<TAnalyzer, TCodeFix, DefaultVerifier>.Diagnostic();

    /// <summary>Asserts that the analyzer reports exactly the diagnostics marked in <paramref name="source"/> and <paramref name="expected"/>, and that the source compiles.</summary>
    /// <param name="source">The source, with markup.</param>
    /// <param name="expected">Expected diagnostics not marked in the source.</param>
    /// <returns>A task that completes when the verification has run.</returns>
    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Asserts the diagnostics marked in <paramref name="source"/>, and that fixing them gives exactly <paramref name="fixedSource"/>.</summary>
    /// <param name="source">The source, with markup.</param>
    /// <param name="fixedSource">The source after the fixes.</param>
    /// <returns>A task that completes when the verification has run.</returns>
    public static Task VerifyCodeFixAsync(string source, string fixedSource) =>
        new Test { TestCode = source, FixedCode = fixedSource }.RunAsync(TestContext.Current.CancellationToken);

    /// <summary>A code-fix test in the <see cref="TestProject"/>, for what the verify methods do not cover (iteration counts, additional files).</summary>
    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        /// <summary>Creates the test with the project's references and options.</summary>
        public Test() => TestProject.Configure(this);
    }
}
