using Microsoft.CodeAnalysis.Diagnostics;
using Switchyard.Analyzers.Internal;

namespace Switchyard.Analyzers.Rules;

/// <summary>
/// What every Switchyard rule does first: skip generated code, run concurrently, and stay off in compilations without
/// <c>Switchyard.Consumer</c> (no Switchyard, nothing to check); the rule registers its actions with the types it looks for.
/// </summary>
public abstract class ConsumerAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        if (context is null)
        {
            throw new System.ArgumentNullException(nameof(context));
        }

        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.For(start.Compilation) is { } known)
            {
                Register(start, known);
            }
        });
    }

    /// <summary>Registers the rule's actions for a compilation that uses Switchyard.</summary>
    /// <param name="context">The compilation's start context.</param>
    /// <param name="known">The types the rules look for, resolved in this compilation.</param>
    private protected abstract void Register(CompilationStartAnalysisContext context, KnownSymbols known);
}
