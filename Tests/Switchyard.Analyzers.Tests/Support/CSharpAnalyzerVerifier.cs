using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Switchyard.Analyzers.Tests.Support;

/// <summary>
/// Verifies what <typeparamref name="TAnalyzer"/> reports on C# source in the <see cref="TestProject"/>. Expected
/// diagnostics are marked in the source (<c>[|...|]</c> for the analyzer's one rule, <c>{|#0:...|}</c> for a location
/// that a <see cref="DiagnosticResult"/> names) or passed as results.
/// </summary>
/// <typeparam name="TAnalyzer">The analyzer under test.</typeparam>
internal static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>A result for the analyzer's one rule.</summary>
    /// <returns>The expected diagnostic, to be given a location.</returns>
    public static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic();

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

    /// <summary>An analyzer test in the <see cref="TestProject"/>, for what the verify methods do not cover (additional files).</summary>
    public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        /// <summary>Creates the test with the project's references and options.</summary>
        public Test() => TestProject.Configure(this);
    }
}
