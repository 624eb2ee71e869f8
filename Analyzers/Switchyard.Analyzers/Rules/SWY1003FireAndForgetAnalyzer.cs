using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Switchyard.Analyzers.Internal;

namespace Switchyard.Analyzers.Rules;

/// <summary>
/// SWY1003: a call whose Task (or ValueTask) is dropped inside a consumer: nothing waits for it, its exception is lost,
/// and it may still run after the consumer has stopped and left its groups. Await it, or discard it explicitly
/// (<c>_ = SendLaterAsync();</c>) when running on is really meant.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FireAndForgetAnalyzer : ConsumerAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Descriptor = Rule.Warning(
        "SWY1003",
        "Task dropped inside a consumer (fire-and-forget)",
        "The {0} returned by '{1}' is dropped; await it, or discard it with '_ =' if it is meant to run on",
        Rule.AsyncCategory,
        "A dropped task is not waited for: its failure goes unobserved and it can outlive the consumer, which has already left its groups when it stops.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Descriptor];

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownSymbols known)
    {
        context.RegisterOperationAction(c => Analyze(c, known), OperationKind.ExpressionStatement);
    }

    private static void Analyze(OperationAnalysisContext context, KnownSymbols known)
    {
        var statement = (IExpressionStatementOperation)context.Operation;
        if (statement.Operation is not IInvocationOperation invocation
            || !known.IsTaskLike(invocation.Type)
            || !ConsumerCode.IsInConsumer(context.ContainingSymbol, known))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptor, invocation.Syntax.GetLocation(), invocation.Type!.Name, invocation.TargetMethod.Name));
    }
}
